package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** CHRYSALIS_REQUIRE_VERIFIED_EMAIL=true: nothing but verification and sign-in until the address is proven. */
class RequireVerifiedEmailApiTest {

  @Test
  void anUnverifiedAccountIsRefusedUntilItFollowsTheLink() {
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_REQUIRE_VERIFIED_EMAIL", "true"))) {
      Api api = app.api();
      Users.Registered u = Users.register(api);
      assertThat(api.call("getCurrentUser").bearer(u.token()).send().expect(200).json().getBoolean("email_verified"))
        .isFalse();

      Api.Resp refused = api.call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", "k")).send().expect(403);
      assertThat(refused.error().getString("code")).isEqualTo("email_not_verified");
      assertThat(refused.error().getString("type")).isEqualTo("permission_denied");
      assertThat(Workspaces.count(app, "SELECT count(*) FROM api_keys WHERE user_id = '" + u.id() + "'")).isZero();
      assertThat(api.call("listApiKeys").bearer(u.token()).send().status()).isEqualTo(403);
      // chat and the workspace too: refused in our shape, nothing reserved, counted or stored
      String before = Workspaces.snapshot(app);
      Api.Resp chat = api.raw("POST", "/v1/chat/completions").bearer(u.token()).body(new JsonObject()
        .put("model", "gpt-4o-mini").put("messages", new JsonArray().add(new JsonObject().put("role", "user")
          .put("content", "hi")))).send().expect(403);
      assertThat(chat.error().getString("code")).isEqualTo("email_not_verified");
      Api.Resp org = api.call("createOrg").bearer(u.token()).body(new JsonObject().put("name", "Acme")
        .put("slug", Workspaces.slug())).send().expect(403);
      assertThat(org.error().getString("code")).isEqualTo("email_not_verified");
      assertThat(Workspaces.snapshot(app)).isEqualTo(before);
      assertThat(Workspaces.count(app, "SELECT count(*) FROM billing_reservations WHERE user_id = '" + u.id() + "'")).isZero();
      assertThat(Workspaces.count(app, "SELECT count(*) FROM usage_events WHERE user_id = '" + u.id() + "'")).isZero();
      // asking for a new link is allowed (429 here: the registration mail was just sent)
      assertThat(api.call("resendVerification").bearer(u.token()).send().status()).isEqualTo(429);

      Users.verify(app, u);
      api.call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", "k")).send().expect(201);
      api.call("listApiKeys").bearer(u.token()).send().expect(200);
    }
  }

  @Test
  void byDefaultAnUnverifiedAccountUsesTheApiOnItsOwn() {
    Users.Registered u = Users.register(TestApp.shared().api());
    TestApp.shared().api().call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", "k")).send().expect(201);
  }
}
