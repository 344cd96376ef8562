package dev.chrysalis.forge.health;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GET /health/ready: what each check reports, standalone and with Redis going away and back. */
class ReadinessApiTest {

  @Test
  void standaloneWithoutRedisIsReadyWithRedisAndClusterDisabled() {
    JsonObject body = TestApp.shared().api().call("getReadiness").send().expect(200).json();
    assertThat(body.getString("status")).isEqualTo("ok");
    JsonObject checks = body.getJsonObject("checks");
    assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("up");
    assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("disabled");
    assertThat(checks.getJsonObject("cluster").getString("status")).isEqualTo("disabled");
    assertThat(body.containsKey("error")).isFalse();
  }

  @Test
  void redisDownMakesTheNodeUnreadyUntilItIsBack() {
    try (RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(TestApp.env("CHRYSALIS_REDIS_URL", redis.url()))) {
      Api api = app.api();
      assertThat(api.call("getReadiness").send().expect(200).json().getJsonObject("checks")
        .getJsonObject("redis").getString("status")).isEqualTo("up");

      redis.kill();
      Api.Resp down = api.call("getReadiness").send().expect(503);
      assertThat(down.json().getString("status")).isEqualTo("unavailable");
      assertThat(down.json().getJsonObject("checks").getJsonObject("redis").getString("status")).isEqualTo("down");
      assertThat(down.json().getJsonObject("checks").getJsonObject("database").getString("status")).isEqualTo("up");
      assertThat(down.json().getJsonObject("error").getString("message")).contains("redis");
      assertThat(down.header("retry-after")).isEqualTo("1");
      // liveness does not depend on Redis
      api.call("getHealth").send().expect(200);

      redis.startAgain();
      long deadline = System.nanoTime() + 10_000_000_000L;
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {
        status = api.call("getReadiness").send().status();
      }
      assertThat(status).isEqualTo(200);
    }
  }

  @Test
  void clusteredStartRefusesWithoutSharedDatabaseOrRedis() {
    assertThatThrownBy(() -> TestApp.start(TestApp.env("CHRYSALIS_CLUSTER", "true", "CHRYSALIS_DATABASE_URL", "")))
      .hasMessageContaining("CHRYSALIS_CLUSTER=true needs CHRYSALIS_DATABASE_URL");
    assertThatThrownBy(() -> TestApp.start(TestApp.env("CHRYSALIS_CLUSTER", "true")))
      .hasMessageContaining("CHRYSALIS_CLUSTER=true needs CHRYSALIS_REDIS_URL");
  }
}
