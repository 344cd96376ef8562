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

/** With CHRYSALIS_ALLOW_PRIVATE_BASE_URLS=false (the production default) private bases are refused. */
@ExtendWith(NoKeyLeaks.class)
class SsrfApiTest {

  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env("CHRYSALIS_ALLOW_PRIVATE_BASE_URLS", "false"));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void privateLoopbackLinkLocalAndMetadataBasesAreRefused() {
    Users.Registered user = Users.register(api);
    String[] bases = {
      "http://127.0.0.1:11434", "http://10.0.0.1/v1", "http://169.254.169.254/latest", "http://localhost:8000/v1",
      "http://[::1]:8000/v1", "http://192.168.1.20/v1", "http://172.16.0.1/v1", "http://0.0.0.0/v1",
      "http://metadata.google.internal/v1", "http://[fd00:ec2::254]/v1", "http://100.64.0.1/v1",
    };
    for (String base : bases) {
      Api.Resp r = api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
        .put("api_key", PlaintextKeys.fresh("k-")).put("base_url", base)).send();
      assertThat(r.status()).as(base).isEqualTo(400);
      assertThat(r.error().getString("code")).as(base).isEqualTo("base_url_not_allowed");
      assertThat(r.error().getString("param")).isEqualTo("base_url");
    }
    assertThat(api.call("listProviderKeys").bearer(user.token()).send().expect(200).json().getJsonArray("data")).isEmpty();
  }

  @Test
  void publicBasesAndOperatorDefaultsAreAccepted() {
    Users.Registered user = Users.register(api);
    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", PlaintextKeys.fresh("k-")).put("base_url", "https://8.8.8.8/v1")).send().expect(201);
    // ollama without base_url uses the operator's OLLAMA_BASE_URL (trusted, even on loopback)
    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "ollama")
      .put("api_key", PlaintextKeys.fresh("ol-"))).send().expect(201);
    JsonObject ollama = VaultCalls.resolve(app, VaultCalls.personal(user.id(), "ollama"));
    assertThat(ollama.getString("base_url")).isEqualTo("http://localhost:11434");
    assertThat(ollama.getBoolean("is_byok")).isTrue();
  }
}
