package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthApiTest {

  private final Api api = TestApp.shared().api();

  @Test
  void registerLoginAndMe() {
    String email = Users.uniqueEmail();
    Api.Resp reg = api.call("registerUser").body(new JsonObject().put("email", "  " + email.toUpperCase() + " ".trim())
      .put("password", Users.PASSWORD).put("display_name", "Ada")).send();
    assertThat(reg.status()).isEqualTo(201);
    assertThat(reg.json().getString("email")).isEqualTo(email);
    assertThat(reg.json().getString("display_name")).isEqualTo("Ada");
    assertThat(reg.header("x-request-id")).isNotBlank();

    Api.Resp login = api.call("loginUser").body(new JsonObject().put("email", email).put("password", Users.PASSWORD)).send();
    assertThat(login.status()).isEqualTo(200);
    String token = login.json().getString("token");

    Api.Resp me = api.call("getCurrentUser").bearer(token).send();
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().getString("id")).isEqualTo(reg.json().getString("id"));
    assertThat(me.json().getString("email")).isEqualTo(email);
    assertThat(me.json().containsKey("password_hash")).isFalse();
  }

  @Test
  void apiKeyWorksInAllThreePlacesAndStopsAfterDelete() {
    Users.Registered user = Users.register(api);
    Api.Resp created = api.call("createApiKey").bearer(user.token()).body(new JsonObject().put("name", "ci")).send();
    assertThat(created.status()).isEqualTo(201);
    String key = created.json().getString("key");
    assertThat(key).startsWith("chs_").hasSize(47);

    assertThat(api.call("getCurrentUser").bearer(key).send().status()).isEqualTo(200);
    assertThat(api.call("getCurrentUser").header("x-api-key", key).send().status()).isEqualTo(200);
    assertThat(api.call("getCurrentUser").query("api_key", key).send().status()).isEqualTo(200);

    Api.Resp list = api.call("listApiKeys").bearer(user.token()).send();
    assertThat(list.text()).doesNotContain(key).doesNotContain("hash");

    Api.Resp del = api.call("deleteApiKey").path("id", created.json().getString("id")).bearer(user.token()).send();
    assertThat(del.status()).isEqualTo(200);
    Api.Resp after = api.call("getCurrentUser").bearer(key).send();
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.error().getString("type")).isEqualTo("authentication_error");
  }
}
