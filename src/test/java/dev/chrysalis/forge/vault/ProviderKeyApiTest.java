package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.NoKeyLeaks;
import dev.chrysalis.forge.testing.PlaintextKeys;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Personal provider keys end to end through the HTTP API, and what ends up in the database. */
@ExtendWith({VertxExtension.class, NoKeyLeaks.class})
class ProviderKeyApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private Api.Resp add(Users.Registered user, JsonObject body) {
    return api.call("addProviderKey").bearer(user.token()).body(body).send();
  }

  private JsonArray list(Users.Registered user) {
    return api.call("listProviderKeys").bearer(user.token()).send().expect(200).json().getJsonArray("data");
  }

  @Test
  void addListReplaceResolveDelete() {
    Users.Registered user = Users.register(api);
    String first = PlaintextKeys.fresh("sk-");
    Api.Resp created = add(user, new JsonObject().put("provider", "openai").put("api_key", first)).expect(201);
    assertThat(created.json().getString("status")).isEqualTo("added");
    assertThat(created.json().getString("provider")).isEqualTo("openai");
    assertThat(created.json().getString("hint")).isEqualTo("..." + first.substring(first.length() - 4));
    assertThat(created.text()).doesNotContain(first);

    Api.Resp listed = api.call("listProviderKeys").bearer(user.token()).send().expect(200);
    assertThat(listed.text()).doesNotContain(first).doesNotContain("encrypted").doesNotContain("v0:");
    JsonObject row = listed.json().getJsonArray("data").getJsonObject(0);
    assertThat(row.getString("provider")).isEqualTo("openai");
    assertThat(row.getString("org_id")).isNull();
    assertThat(row.getBoolean("is_valid")).isTrue();
    assertThat(row.getString("validated_at")).isNull();
    assertThat(row.getString("id")).isEqualTo(created.json().getString("id"));

    JsonObject resolved = VaultCalls.resolve(app, VaultCalls.personal(user.id(), "openai"));
    assertThat(resolved.getString("key")).isEqualTo(first);
    assertThat(resolved.getBoolean("is_byok")).isTrue();
    assertThat(resolved.getString("provider_key_id")).isEqualTo(row.getString("id"));
    assertThat(resolved.getString("base_url")).isEqualTo("https://api.openai.com/v1");

    String second = PlaintextKeys.fresh("sk-");
    Api.Resp replaced = add(user, new JsonObject().put("provider", "openai").put("api_key", second)
      .put("base_url", "https://proxy.example.com/v1/")).expect(201);
    JsonArray after = list(user);
    assertThat(after).hasSize(1);
    assertThat(after.getJsonObject(0).getString("key_hint")).isEqualTo("..." + second.substring(second.length() - 4));
    assertThat(after.getJsonObject(0).getString("base_url")).isEqualTo("https://proxy.example.com/v1");
    assertThat(after.getJsonObject(0).getString("id")).isEqualTo(replaced.json().getString("id"))
      .isNotEqualTo(row.getString("id"));
    JsonObject resolvedAgain = VaultCalls.resolve(app, VaultCalls.personal(user.id(), "openai"));
    assertThat(resolvedAgain.getString("key")).isEqualTo(second);
    assertThat(resolvedAgain.getString("base_url")).isEqualTo("https://proxy.example.com/v1");

    Api.Resp deleted = api.call("deleteProviderKey").bearer(user.token()).path("provider", "openai").send().expect(200);
    assertThat(deleted.json().getBoolean("deleted")).isTrue();
    assertThat(list(user)).isEmpty();
    Api.Resp again = api.call("deleteProviderKey").bearer(user.token()).path("provider", "openai").send().expect(404);
    assertThat(again.error().getString("code")).isEqualTo("provider_key_not_found");
    ServiceException missing = VaultCalls.resolveFails(app, VaultCalls.personal(user.id(), "openai"));
    assertThat(missing.failureCode()).isEqualTo(400);
    assertThat(missing.getDebugInfo().getString("code")).isEqualTo("provider_key_missing");
  }

  @Test
  void keysAreSeparatePerUserAndProvider(VertxTestContext ctx) throws Throwable {
    Users.Registered a = Users.register(api);
    Users.Registered b = Users.register(api);
    String aOpenai = PlaintextKeys.fresh("sk-");
    String aAnthropic = PlaintextKeys.fresh("sk-ant-");
    String bOpenai = PlaintextKeys.fresh("sk-");
    add(a, new JsonObject().put("provider", "openai").put("api_key", aOpenai)).expect(201);
    add(a, new JsonObject().put("provider", "anthropic").put("api_key", aAnthropic)).expect(201);
    add(b, new JsonObject().put("provider", "openai").put("api_key", bOpenai)).expect(201);
    assertThat(list(a)).hasSize(2);
    assertThat(list(b)).hasSize(1);
    VaultService vault = VaultService.createProxy(app.vertx());
    Future.all(vault.resolve(VaultCalls.personal(a.id(), "openai")), vault.resolve(VaultCalls.personal(a.id(), "anthropic")),
        vault.resolve(VaultCalls.personal(b.id(), "openai")),
        BusFlow.refused(vault.resolve(VaultCalls.personal(b.id(), "anthropic")), 400, "provider_key_missing"))
      .onComplete(ctx.succeeding(keys -> ctx.verify(() -> {
        assertThat(keys.<JsonObject>resultAt(0).getString("key")).isEqualTo(aOpenai);
        assertThat(keys.<JsonObject>resultAt(1).getString("key")).isEqualTo(aAnthropic);
        assertThat(keys.<JsonObject>resultAt(2).getString("key")).isEqualTo(bOpenai);
        ctx.completeNow();
      })));
    BusFlow.await(ctx);
    api.call("deleteProviderKey").bearer(b.token()).path("provider", "anthropic").send().expect(404);
    assertThat(list(a)).hasSize(2);
  }

  @Test
  void badInputGetsAClear400AndStoresNothing() throws Exception {
    Users.Registered user = Users.register(api);
    String longKey = "sk-" + PlaintextKeys.fresh("").repeat(120);
    Object[][] cases = {
      {new JsonObject().put("provider", "openai").put("api_key", "abc-not-openai"), "invalid_key_format", "api_key"},
      {new JsonObject().put("provider", "anthropic").put("api_key", "sk-but-not-anthropic"), "invalid_key_format", "api_key"},
      {new JsonObject().put("provider", "google").put("api_key", "tooShortForGoogle"), "invalid_key_format", "api_key"},
      {new JsonObject().put("provider", "custom").put("api_key", "anything-goes-here"), "base_url_required", "base_url"},
      {new JsonObject().put("provider", "openai").put("api_key", "sk-x y"), "invalid_api_key", "api_key"},
      {new JsonObject().put("provider", "openai").put("api_key", "   "), "invalid_api_key", "api_key"},
      {new JsonObject().put("provider", "custom").put("api_key", "k").put("base_url", "ftp://example.com/v1"), "invalid_base_url", "base_url"},
      {new JsonObject().put("provider", "custom").put("api_key", "k").put("base_url", "https://u:p@example.com/v1"), "invalid_base_url", "base_url"},
      {new JsonObject().put("provider", "custom").put("api_key", "k").put("base_url", "https://example.com/v1?x=1"), "invalid_base_url", "base_url"},
      {new JsonObject().put("provider", "custom").put("api_key", "k").put("base_url", "not a url"), "invalid_base_url", "base_url"},
      {new JsonObject().put("provider", "nope").put("api_key", "sk-abc"), "invalid_request", "provider"},
      {new JsonObject().put("provider", "openai"), "invalid_request", "api_key"},
      {new JsonObject().put("provider", "openai").put("api_key", longKey), "invalid_request", "api_key"},
      {new JsonObject().put("provider", "openai").put("api_key", "sk-abc").put("extra", 1), "invalid_request", "extra"},
      {new JsonObject().put("provider", "openai").put("api_key", "sk-abc").put("org_id", "bad id!"), "invalid_request", "org_id"},
      {new JsonObject().put("provider", "openai").put("api_key", "sk-abc").put("validate", "yes"), "invalid_request", "validate"},
    };
    for (Object[] c : cases) {
      Api.Resp r = add(user, (JsonObject) c[0]);
      assertThat(r.status()).as("status for %s", c[0]).isEqualTo(400);
      assertThat(r.error().getString("code")).as("code for %s", c[0]).isEqualTo(c[1]);
      assertThat(r.error().getString("param")).as("param for %s", c[0]).isEqualTo(c[2]);
      assertThat(r.text()).doesNotContain(PlaintextKeys.MARKER);
    }
    Api.Resp notJson = api.call("addProviderKey").bearer(user.token()).body("{\"provider\":").send();
    assertThat(notJson.status()).isEqualTo(400);
    notJson.error();
    Api.Resp badPath = api.raw("DELETE", "/provider-keys/nope").bearer(user.token()).send();
    assertThat(badPath.status()).isEqualTo(400);
    badPath.error();
    Api.Resp badOrg = api.call("listProviderKeys").bearer(user.token()).query("org_id", "bad id!").send();
    assertThat(badOrg.status()).isEqualTo(404);
    assertThat(badOrg.error().getString("code")).isEqualTo("org_not_found");
    assertThat(badOrg.error().getString("param")).isEqualTo("org_id");
    Api.Resp badValidate = api.raw("POST", "/provider-keys/nope/validate").bearer(user.token()).send();
    assertThat(badValidate.status()).isEqualTo(400);
    badValidate.error();
    Api.Resp badDeleteOrg = api.call("deleteProviderKey").bearer(user.token()).path("provider", "openai")
      .query("org_id", "x".repeat(65)).send();
    assertThat(badDeleteOrg.status()).isEqualTo(404);
    assertThat(badDeleteOrg.error().getString("code")).isEqualTo("org_not_found");
    assertThat(list(user)).isEmpty();
    try (Connection c = TestDatabase.connect(app.databaseUrl());
         PreparedStatement s = c.prepareStatement("SELECT count(*) FROM provider_keys WHERE user_id = ?")) {
      s.setString(1, user.id());
      ResultSet rs = s.executeQuery();
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  @Test
  void needsAuthenticationAndTheKeysScope() {
    Api.Resp anonymous = api.call("listProviderKeys").send();
    assertThat(anonymous.status()).isEqualTo(401);
    anonymous.error();
    Users.Registered user = Users.register(api);
    String readOnly = Users.apiKey(api, user, "read");
    Api.Resp refused = api.call("addProviderKey").bearer(readOnly)
      .body(new JsonObject().put("provider", "openai").put("api_key", PlaintextKeys.fresh("sk-"))).send();
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.error().getString("code")).isEqualTo("insufficient_scope");
    String keysScope = Users.apiKey(api, user, "keys");
    api.call("addProviderKey").bearer(keysScope)
      .body(new JsonObject().put("provider", "mistral").put("api_key", PlaintextKeys.fresh("ms-"))).send().expect(201);
    assertThat(api.call("listProviderKeys").header("x-api-key", keysScope).send().expect(200).json()
      .getJsonArray("data")).hasSize(1);
  }

  @Test
  void theDatabaseNeverHoldsAPlaintextKey() throws Exception {
    Users.Registered user = Users.register(api);
    List<String> mine = new ArrayList<>();
    String[][] keys = {
      {"openai", PlaintextKeys.fresh("sk-")},
      {"anthropic", PlaintextKeys.fresh("sk-ant-")},
      {"google", PlaintextKeys.fresh("AIza")},
      {"mistral", PlaintextKeys.fresh("")},
      {"cohere", PlaintextKeys.fresh("co-")},
      {"ollama", PlaintextKeys.fresh("ol-")},
    };
    for (String[] k : keys) {
      add(user, new JsonObject().put("provider", k[0]).put("api_key", k[1])).expect(201);
      mine.add(k[1]);
    }
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement()) {
      ResultSet rs = s.executeQuery("SELECT t::text, encrypted_key, key_version FROM provider_keys t");
      int rows = 0;
      while (rs.next()) {
        rows++;
        String dump = rs.getString(1);
        assertThat(dump).doesNotContain(PlaintextKeys.MARKER);
        for (String key : PlaintextKeys.all()) {
          assertThat(dump).doesNotContain(key);
        }
        assertThat(rs.getString(2)).matches("v" + rs.getInt(3) + ":[A-Za-z0-9+/]+=*");
      }
      assertThat(rows).isGreaterThanOrEqualTo(mine.size());
    }
  }

  @Test
  void aCiphertextMovedToAnotherRowOrOwnerIsRejected() throws Exception {
    Users.Registered a = Users.register(api);
    Users.Registered b = Users.register(api);
    String aKey = PlaintextKeys.fresh("sk-");
    add(a, new JsonObject().put("provider", "openai").put("api_key", aKey)).expect(201);
    add(a, new JsonObject().put("provider", "mistral").put("api_key", PlaintextKeys.fresh("m-"))).expect(201);
    add(b, new JsonObject().put("provider", "openai").put("api_key", PlaintextKeys.fresh("sk-"))).expect(201);
    try (Connection c = TestDatabase.connect(app.databaseUrl())) {
      // a's openai ciphertext copied onto b's openai row (another owner) and a's mistral row (another provider)
      try (PreparedStatement s = c.prepareStatement("UPDATE provider_keys SET encrypted_key = "
        + "(SELECT encrypted_key FROM provider_keys WHERE user_id = ? AND provider = 'openai') "
        + "WHERE (user_id = ? AND provider = 'openai') OR (user_id = ? AND provider = 'mistral')")) {
        s.setString(1, a.id());
        s.setString(2, b.id());
        s.setString(3, a.id());
        assertThat(s.executeUpdate()).isEqualTo(2);
      }
    }
    Api.Resp moved = api.call("validateProviderKey").bearer(b.token()).path("provider", "openai").send();
    assertThat(moved.status()).isEqualTo(422);
    assertThat(moved.error().getString("code")).isEqualTo("provider_key_unusable");
    assertThat(moved.error().getString("message")).contains("add the key again");
    assertThat(list(b).getJsonObject(0).getBoolean("is_valid")).isFalse();

    ServiceException otherProvider = VaultCalls.resolveFails(app, VaultCalls.personal(a.id(), "mistral"));
    assertThat(otherProvider.failureCode()).isEqualTo(422);
    assertThat(otherProvider.getDebugInfo().getString("code")).isEqualTo("provider_key_unusable");
    ServiceException otherOwner = VaultCalls.resolveFails(app, VaultCalls.personal(b.id(), "openai"));
    assertThat(otherOwner.getDebugInfo().getString("code")).isEqualTo("provider_key_unusable");
    assertThat(VaultCalls.resolve(app, VaultCalls.personal(a.id(), "openai")).getString("key")).isEqualTo(aKey);

    // re-entering the key repairs it
    String fresh = PlaintextKeys.fresh("sk-");
    add(b, new JsonObject().put("provider", "openai").put("api_key", fresh)).expect(201);
    assertThat(VaultCalls.resolve(app, VaultCalls.personal(b.id(), "openai")).getString("key")).isEqualTo(fresh);
    assertThat(list(b).getJsonObject(0).getBoolean("is_valid")).isTrue();
  }
}
