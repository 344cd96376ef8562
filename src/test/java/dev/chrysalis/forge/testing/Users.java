package dev.chrysalis.forge.testing;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** Registers throwaway users on a test app. */
public final class Users {

  public static final String PASSWORD = "a long enough test password";

  private Users() {
  }

  public record Registered(String id, String email, String token) {
  }

  public static String uniqueEmail() {
    return "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "@example.test";
  }

  public static Registered register(Api api) {
    String email = uniqueEmail();
    Api.Resp r = api.call("registerUser").body(new JsonObject().put("email", email).put("password", PASSWORD)).send();
    if (r.status() != 201) {
      throw new AssertionError("register failed: " + r);
    }
    JsonObject j = r.json();
    return new Registered(j.getString("id"), email, j.getString("token"));
  }

  /** Proves the user's address the way a person does: the token from the verification mail, sent back. */
  public static void verify(TestApp app, Registered user) {
    String token = DevMailbox.latestToken(app, user.email(), "Confirm your email");
    Api.Resp r = app.api().call("verifyEmail").body(new JsonObject().put("token", token)).send();
    if (r.status() != 200) {
      throw new AssertionError("verify failed: " + r);
    }
  }

  /** Creates an API key for the user with the given scopes and returns the full key. */
  public static String apiKey(Api api, Registered user, String... scopes) {
    JsonObject body = new JsonObject().put("name", "test");
    if (scopes.length > 0) {
      body.put("scopes", new io.vertx.core.json.JsonArray(java.util.List.of((Object[]) scopes)));
    }
    Api.Resp r = api.call("createApiKey").bearer(user.token()).body(body).send();
    if (r.status() != 201) {
      throw new AssertionError("create key failed: " + r);
    }
    return r.json().getString("key");
  }
}
