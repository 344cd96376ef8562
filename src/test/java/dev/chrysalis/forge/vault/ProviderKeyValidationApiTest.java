package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.NoKeyLeaks;
import dev.chrysalis.forge.testing.PlaintextKeys;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live validation against fake providers (test code, real HTTP on loopback): accepted, rejected
 * (401, and Gemini's 400 API_KEY_INVALID) and a provider that never answers. The app's validation
 * timeout is lowered to 700 ms so the timeout case does not wait 10 s.
 */
@ExtendWith(NoKeyLeaks.class)
class ProviderKeyValidationApiTest {

  private static FakeProviders fake;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    fake = FakeProviders.start();
    app = TestApp.start(TestApp.env(
      "CHRYSALIS_VAULT_VALIDATION_TIMEOUT_MS", "700",
      "CHRYSALIS_ALLOW_PRIVATE_BASE_URLS", "true",
      "OPENAI_API_BASE", fake.base("openai/v1"),
      "ANTHROPIC_API_BASE", fake.base("anthropic"),
      "GOOGLE_API_BASE", fake.base("google"),
      "COHERE_API_BASE", fake.base("cohere")));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
    fake.close();
  }

  private JsonObject onlyKey(Users.Registered user) {
    return api.call("listProviderKeys").bearer(user.token()).send().expect(200).json().getJsonArray("data").getJsonObject(0);
  }

  @Test
  void validateOnAddSavesAGoodKeyAndRefusesABadOne() {
    Users.Registered user = Users.register(api);
    String good = PlaintextKeys.fresh("sk-");
    fake.accept(good);
    Api.Resp ok = api.call("addProviderKey").bearer(user.token())
      .body(new JsonObject().put("provider", "openai").put("api_key", good).put("validate", true)).send().expect(201);
    assertThat(ok.json().getString("status")).isEqualTo("added");
    assertThat(fake.seenKeys()).contains(good);
    JsonObject row = onlyKey(user);
    assertThat(row.getString("validated_at")).isNotNull();
    assertThat(row.getBoolean("is_valid")).isTrue();

    String bad = PlaintextKeys.fresh("sk-");
    Api.Resp refused = api.call("addProviderKey").bearer(user.token())
      .body(new JsonObject().put("provider", "openai").put("api_key", bad).put("validate", true)).send();
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.error().getString("code")).isEqualTo("provider_key_invalid");
    assertThat(refused.error().getString("message")).contains("401").doesNotContain(bad);
    assertThat(onlyKey(user).getString("key_hint")).isEqualTo("..." + good.substring(good.length() - 4));
  }

  @Test
  void validateEndpointChecksTheStoredKeyForEachProviderFormat() {
    String[][] cases = {
      {"openai", "sk-"}, {"anthropic", "sk-ant-"}, {"google", "AIza"}, {"cohere", "co-"},
    };
    for (String[] c : cases) {
      Users.Registered user = Users.register(api);
      String key = PlaintextKeys.fresh(c[1]);
      api.call("addProviderKey").bearer(user.token())
        .body(new JsonObject().put("provider", c[0]).put("api_key", key)).send().expect(201);

      Api.Resp rejected = api.call("validateProviderKey").bearer(user.token()).path("provider", c[0]).send().expect(200);
      assertThat(rejected.json().getBoolean("valid")).as(c[0]).isFalse();
      assertThat(rejected.json().getString("outcome")).as(c[0]).isEqualTo("rejected");
      assertThat(rejected.text()).doesNotContain(key);
      assertThat(onlyKey(user).getBoolean("is_valid")).as(c[0]).isFalse();
      assertThat(fake.seenKeys()).as("the fake %s saw the decrypted key", c[0]).contains(key);

      fake.accept(key);
      Api.Resp valid = api.call("validateProviderKey").bearer(user.token()).path("provider", c[0]).send().expect(200);
      assertThat(valid.json().getBoolean("valid")).as(c[0]).isTrue();
      assertThat(valid.json().getString("outcome")).isEqualTo("valid");
      assertThat(valid.json().getString("message")).contains("models");
      assertThat(valid.json().getString("validated_at")).isNotNull();
      JsonObject row = onlyKey(user);
      assertThat(row.getBoolean("is_valid")).isTrue();
      assertThat(row.getString("validated_at")).isNotNull();
    }
  }

  @Test
  void aProviderThatNeverAnswersTimesOutWithoutJudgingTheKey() {
    Users.Registered user = Users.register(api);
    String key = PlaintextKeys.fresh("sk-");
    Api.Resp onAdd = api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", key).put("base_url", fake.base("slow/v1")).put("validate", true)).send();
    assertThat(onAdd.status()).isEqualTo(502);
    assertThat(onAdd.error().getString("code")).isEqualTo("provider_unreachable");
    assertThat(onAdd.error().getString("message")).contains("700 ms");

    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", key).put("base_url", fake.base("slow/v1"))).send().expect(201);
    Api.Resp check = api.call("validateProviderKey").bearer(user.token()).path("provider", "custom").send().expect(200);
    assertThat(check.json().getBoolean("valid")).isFalse();
    assertThat(check.json().getString("outcome")).isEqualTo("unreachable");
    JsonObject row = onlyKey(user);
    assertThat(row.getBoolean("is_valid")).isTrue();
    assertThat(row.getString("validated_at")).isNull();
  }

  @Test
  void aCustomBaseThatIsNotAModelsListIsNotCalledValid() {
    Users.Registered user = Users.register(api);
    String key = PlaintextKeys.fresh("k-");
    fake.accept(key);
    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", key).put("base_url", fake.base("openai/v1"))).send().expect(201);
    Api.Resp good = api.call("validateProviderKey").bearer(user.token()).path("provider", "custom").send().expect(200);
    assertThat(good.json().getBoolean("valid")).isTrue();
    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", key).put("base_url", fake.base("nothing-here"))).send().expect(201);
    Api.Resp notFound = api.call("validateProviderKey").bearer(user.token()).path("provider", "custom").send().expect(200);
    assertThat(notFound.json().getString("outcome")).isEqualTo("unreachable");
    assertThat(notFound.json().getString("message")).contains("404");
  }

  @Test
  void validatingAMissingKeyIs404() {
    Users.Registered user = Users.register(api);
    Api.Resp r = api.call("validateProviderKey").bearer(user.token()).path("provider", "openai").send();
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error().getString("code")).isEqualTo("provider_key_not_found");
  }
}
