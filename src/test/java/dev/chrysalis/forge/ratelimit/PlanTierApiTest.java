package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The tier follows the plan billing holds, and changes as soon as an operator assigns another. */
class PlanTierApiTest {

  private static final String ADMIN_EMAIL = "ratelimit-admin@example.test";

  @Test
  void tierFollowsTheBillingPlan() {
    try (TestApp app = TestApp.start(TestApp.env(
      "CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL,
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "10", "CHRYSALIS_RATE_FREE_PER_DAY", "100",
      "CHRYSALIS_RATE_PRO_PER_MINUTE", "60", "CHRYSALIS_RATE_PRO_PER_DAY", "1000"))) {
      Api api = app.api();
      JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL)
        .put("password", Users.PASSWORD)).send().expect(201).json();
      String adminToken = reg.getString("token");
      Users.verify(app, new Users.Registered(reg.getString("id"), ADMIN_EMAIL, adminToken));
      Users.Registered user = Users.register(api);

      Api.Resp free = api.call("getCurrentUser").bearer(user.token()).send().expect(200);
      assertThat(free.header("X-RateLimit-Limit")).isEqualTo("10");
      assertThat(free.header("RateLimit-Policy")).isEqualTo("\"minute\";q=10;w=60, \"day\";q=100;w=86400");

      api.call("setUserPlan").bearer(adminToken).path("id", user.id())
        .body(new JsonObject().put("plan_id", "pro")).send().expect(200);
      Api.Resp pro = api.call("getCurrentUser").bearer(user.token()).send().expect(200);
      assertThat(pro.header("X-RateLimit-Limit")).isEqualTo("60");
      assertThat(pro.header("RateLimit-Policy")).isEqualTo("\"minute\";q=60;w=60, \"day\";q=1000;w=86400");
    }
  }
}
