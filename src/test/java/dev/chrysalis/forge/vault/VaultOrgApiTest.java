package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.Contract;
import dev.chrysalis.forge.testing.NoKeyLeaks;
import dev.chrysalis.forge.testing.PlaintextKeys;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Organization keys and the resolution order, with every role and membership change under the
 * test's control: the vault is pointed at its own bus address (CHRYSALIS_VAULT_MEMBERSHIP_ADDRESS)
 * and this test answers {@code getMembership} there from an in-memory table, in the real
 * WorkspaceService's service-proxy wire format (header {@code action: getMembership}, body
 * {orgId, userId}, reply {role} or failure 404), so the production workspace.MembershipClient runs.
 * It also covers a workspace that does not answer. The same paths against the real workspace
 * service are in VaultWorkspaceApiTest.
 */
@ExtendWith({VertxExtension.class, NoKeyLeaks.class})
class VaultOrgApiTest {

  private static final String MEMBERSHIP_ADDRESS = "test.workspace.membership";
  private static final String ORG = "org_testvault0000000001";
  private static final String SERVICE_OPENAI = PlaintextKeys.fresh("sk-");
  private static final Map<String, String> ROLES = new ConcurrentHashMap<>();
  private static TestApp app;
  private static Api api;
  private static MessageConsumer<JsonObject> workspace;

  @BeforeAll
  static void start() throws Exception {
    // billing (the rate limiter's plan lookup) and the vault ask the same membership source
    app = TestApp.start(TestApp.env("CHRYSALIS_VAULT_MEMBERSHIP_ADDRESS", MEMBERSHIP_ADDRESS,
      "CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS", MEMBERSHIP_ADDRESS,
      "OPENAI_API_KEY", SERVICE_OPENAI));
    api = app.api();
    registerWorkspace();
  }

  private static void registerWorkspace() throws Exception {
    workspace = app.vertx().eventBus().consumer(MEMBERSHIP_ADDRESS, msg -> {
      if (!"getMembership".equals(msg.headers().get("action"))) {
        msg.fail(400, "unknown action");
        return;
      }
      String role = ROLES.get(msg.body().getString("userId") + "@" + msg.body().getString("orgId"));
      if (role == null) {
        msg.fail(404, "not a member");
      } else {
        msg.reply(new JsonObject().put("role", role));
      }
    });
    workspace.completion().await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Users.Registered member(String role) {
    Users.Registered u = Users.register(api);
    ROLES.put(u.id() + "@" + ORG, role);
    return u;
  }

  private static Api.Resp addOrgKey(Users.Registered user, String provider, String key) {
    return api.call("addProviderKey").bearer(user.token())
      .body(new JsonObject().put("provider", provider).put("api_key", key).put("org_id", ORG)).send();
  }

  @Test
  void onlyOwnersAndAdminsManageOrgKeysAndMembersCanList() {
    Users.Registered owner = member("owner");
    Users.Registered admin = member("admin");
    Users.Registered plain = member("member");
    Users.Registered reader = member("reader");
    Users.Registered outsider = Users.register(api);

    addOrgKey(owner, "anthropic", PlaintextKeys.fresh("sk-ant-")).expect(201);
    addOrgKey(admin, "mistral", PlaintextKeys.fresh("m-")).expect(201);
    for (Users.Registered u : new Users.Registered[] {plain, reader}) {
      Api.Resp r = addOrgKey(u, "cohere", PlaintextKeys.fresh("co-"));
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.error().getString("code")).isEqualTo("org_admin_required");
      Api.Resp d = api.call("deleteProviderKey").bearer(u.token()).path("provider", "mistral").query("org_id", ORG).send();
      assertThat(d.status()).isEqualTo(403);
      Api.Resp v = api.call("validateProviderKey").bearer(u.token()).path("provider", "mistral").query("org_id", ORG).send();
      assertThat(v.status()).isEqualTo(403);
    }
    // an org the caller is not in is invisible to them: the same 404 as everywhere
    Api.Resp out = addOrgKey(outsider, "cohere", PlaintextKeys.fresh("co-"));
    assertThat(out.status()).isEqualTo(404);
    assertThat(out.error().getString("code")).isEqualTo("org_not_found");
    assertThat(Contract.documentedStatuses("addProviderKey")).as("the contract lists that 404").contains("404");
    Api.Resp outList = api.call("listProviderKeys").bearer(outsider.token()).query("org_id", ORG).send();
    assertThat(outList.status()).isEqualTo(404);
    assertThat(outList.error().getString("code")).isEqualTo("org_not_found");
    assertThat(Contract.documentedStatuses("listProviderKeys")).as("the contract lists that 404").contains("404");

    for (Users.Registered u : new Users.Registered[] {owner, admin, plain, reader}) {
      Api.Resp list = api.call("listProviderKeys").bearer(u.token()).query("org_id", ORG).send().expect(200);
      assertThat(list.json().getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("provider")))
        .contains("anthropic", "mistral");
      assertThat(list.json().getJsonArray("data").getJsonObject(0).getString("org_id")).isEqualTo(ORG);
    }
    // org keys are not personal keys
    assertThat(api.call("listProviderKeys").bearer(owner.token()).send().expect(200).json().getJsonArray("data")).isEmpty();

    api.call("deleteProviderKey").bearer(admin.token()).path("provider", "mistral").query("org_id", ORG).send().expect(200);
    api.call("deleteProviderKey").bearer(admin.token()).path("provider", "mistral").query("org_id", ORG).send().expect(404);
  }

  @Test
  void resolutionOrderIsUserThenOrgThenServiceAndNonMembersAreRefused(VertxTestContext ctx) throws Throwable {
    Users.Registered admin = member("admin");
    Users.Registered plain = member("member");
    Users.Registered outsider = Users.register(api);
    String orgKey = PlaintextKeys.fresh("sk-");
    String orgId = addOrgKey(admin, "openai", orgKey).expect(201).json().getString("id");
    VaultService vault = VaultService.createProxy(app.vertx());

    vault.resolve(VaultCalls.personal(plain.id(), "openai").put("org_id", ORG))
      .onComplete(ctx.succeeding(viaOrg -> ctx.verify(() -> {
        assertThat(viaOrg.getString("key")).isEqualTo(orgKey);
        assertThat(viaOrg.getBoolean("is_byok")).isTrue();
        assertThat(viaOrg.getString("provider_key_id")).isEqualTo(orgId);
        ctx.completeNow();
      })));
    BusFlow.await(ctx);

    String personal = PlaintextKeys.fresh("sk-");
    api.call("addProviderKey").bearer(plain.token())
      .body(new JsonObject().put("provider", "openai").put("api_key", personal)).send().expect(201);
    VertxTestContext withPersonalKey = new VertxTestContext();
    Future.all(List.of(
        vault.resolve(VaultCalls.personal(plain.id(), "openai").put("org_id", ORG)),
        // an org the caller is not in is refused, never quietly replaced by the service key
        BusFlow.refused(vault.resolve(VaultCalls.personal(outsider.id(), "openai").put("org_id", ORG)),
          404, "org_not_found"),
        vault.resolve(VaultCalls.personal(admin.id(), "openai")),
        vault.resolve(VaultCalls.personal(plain.id(), "openai").put("org_id", ORG).put("prefer_byok", false)),
        BusFlow.refused(vault.resolve(VaultCalls.personal(plain.id(), "google").put("org_id", ORG).put("prefer_byok", true)),
          400, "provider_key_missing"),
        vault.resolve(VaultCalls.personal(plain.id(), "ollama")),
        BusFlow.refusal(vault.resolve(VaultCalls.personal(plain.id(), "nope")))))
      .onComplete(withPersonalKey.succeeding(all -> withPersonalKey.verify(() -> {
        JsonObject viaUser = all.resultAt(0);
        assertThat(viaUser.getString("key")).isEqualTo(personal);
        JsonObject noOrg = all.resultAt(2);
        assertThat(noOrg.getString("key")).isEqualTo(SERVICE_OPENAI);
        assertThat(noOrg.getString("base_url")).isEqualTo("https://api.openai.com/v1");
        JsonObject service = all.resultAt(3);
        assertThat(service.getString("key")).isEqualTo(SERVICE_OPENAI);
        assertThat(service.getBoolean("is_byok")).isFalse();
        JsonObject ollama = all.resultAt(5);
        assertThat(ollama.getValue("key")).isNull();
        assertThat(ollama.getString("base_url")).isEqualTo("http://localhost:11434");
        assertThat(ollama.getBoolean("is_byok")).isFalse();
        assertThat(all.<String>resultAt(6)).startsWith("400 ");
        withPersonalKey.completeNow();
      })));
    BusFlow.await(withPersonalKey);
  }

  @Test
  void aRemovedMemberLosesTheOrgKeyAsSoonAsTheWorkspaceSaysSo() {
    Users.Registered admin = member("admin");
    Users.Registered leaving = member("member");
    String orgKey = PlaintextKeys.fresh("co-");
    addOrgKey(admin, "cohere", orgKey).expect(201);
    assertThat(VaultCalls.resolve(app, VaultCalls.personal(leaving.id(), "cohere").put("org_id", ORG))
      .getString("key")).isEqualTo(orgKey);

    ROLES.remove(leaving.id() + "@" + ORG);
    app.vertx().eventBus().publish(VaultService.MEMBERSHIP_CHANGED_ADDRESS,
      new JsonObject().put("org_id", ORG).put("user_id", leaving.id()));
    ServiceException gone = VaultCalls.resolveFails(app, VaultCalls.personal(leaving.id(), "cohere").put("org_id", ORG));
    assertThat(gone.getDebugInfo().getString("code")).isEqualTo("org_not_found");
  }

  @Test
  void withoutAnAnsweringWorkspaceOrgRequestsFailClosed() throws Exception {
    Users.Registered admin = member("admin");
    workspace.unregister().await(10, TimeUnit.SECONDS);
    try {
      Api.Resp r = api.call("listProviderKeys").bearer(admin.token()).query("org_id", ORG).send();
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.error().getString("code")).isEqualTo("membership_unavailable");
    } finally {
      registerWorkspace();
    }
  }
}
