package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis backend through real HTTP, with a redis-server of the test's own: exactness across two nodes, failover. */
class RedisRateLimitApiTest {

  /**
   * Exactness holds while Redis answers; a check slower than the timeout is answered in-process
   * (per node). Two test servers and 200 client threads on a 2-core machine can stall an event
   * loop past 50 ms, so the exactness tests allow Redis 2 s; the fallback tests keep 50 ms.
   */
  private static final String EXACTNESS_TIMEOUT_MS = "2000";
  private static RedisProcess redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = TestApp.env(pairs);
    env.putIfAbsent("CHRYSALIS_REDIS_URL", redis.url());
    return env;
  }

  @Test
  void twoNodesSharingRedisLetExactlySixtyOfTwoHundredThrough() throws Exception {
    Map<String, String> env = env("CHRYSALIS_RATE_FREE_PER_MINUTE", "60", "CHRYSALIS_RATE_WINDOW_SECONDS", "3600",
      "CHRYSALIS_REDIS_TIMEOUT_MS", EXACTNESS_TIMEOUT_MS, "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000");
    try (TestApp a = TestApp.start(env)) {
      Map<String, String> envB = new java.util.HashMap<>(env);
      envB.put("CHRYSALIS_DATABASE_URL", a.databaseUrl());
      try (TestApp b = TestApp.start(envB)) {
        Users.Registered user = Users.register(a.api());
        List<Api.Resp> rs = Burst.fire(200, i -> (i % 2 == 0 ? a : b).api().call("getCurrentUser")
          .bearer(user.token()).send());
        assertThat(Burst.count(rs, 200)).isEqualTo(60);
        assertThat(Burst.count(rs, 429)).isEqualTo(140);
        JsonObject statsA = stats(a);
        JsonObject statsB = stats(b);
        assertThat(statsA.getString("backend")).isEqualTo("redis");
        assertThat(statsA.getLong("redis_fallbacks") + statsB.getLong("redis_fallbacks")).isZero();
        assertThat(statsA.getLong("redis_checks")).isPositive();
        assertThat(statsB.getLong("redis_checks")).isPositive();
      }
    }
  }

  @Test
  void dayLimitOnRedisIsExactAcrossTwoNodes() throws Exception {
    Map<String, String> env = env("CHRYSALIS_RATE_FREE_PER_MINUTE", "60000", "CHRYSALIS_RATE_FREE_PER_DAY", "60",
      "CHRYSALIS_REDIS_TIMEOUT_MS", EXACTNESS_TIMEOUT_MS, "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000");
    try (TestApp a = TestApp.start(env)) {
      Map<String, String> envB = new java.util.HashMap<>(env);
      envB.put("CHRYSALIS_DATABASE_URL", a.databaseUrl());
      try (TestApp b = TestApp.start(envB)) {
        Users.Registered user = Users.register(a.api());
        List<Api.Resp> rs = Burst.fire(200, i -> (i % 2 == 0 ? a : b).api().call("getCurrentUser")
          .bearer(user.token()).send());
        assertThat(Burst.count(rs, 200)).isEqualTo(60);
        assertThat(Burst.count(rs, 429)).isEqualTo(140);
        Api.Resp limited = rs.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        assertThat(limited.error().getString("message")).contains("60 requests per day");
        // the day key expires by itself, an hour after the UTC midnight that resets it
        long toMidnight = 86_400_000L - System.currentTimeMillis() % 86_400_000L;
        String ttl = redis.command("PTTL forge:rl:{u:" + user.id() + "}:d:" + System.currentTimeMillis() / 86_400_000L);
        assertThat(Long.parseLong(ttl.substring(1))).isBetween(toMidnight, toMidnight + 3_600_000L);
      }
    }
  }

  @Test
  void requestsKeepSucceedingWhileRedisIsDownAndGoBackToRedis() throws Exception {
    try (TestApp app = TestApp.start(env("CHRYSALIS_RATE_FREE_PER_MINUTE", "1000", "CHRYSALIS_REDIS_RETRY_MS", "200"))) {
      Users.Registered user = Users.register(app.api());
      for (int i = 0; i < 5; i++) {
        app.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
      }
      long onRedis = stats(app).getLong("redis_checks");
      assertThat(onRedis).isPositive();
      assertThat(redis.command("EXISTS forge:rl:{u:" + user.id() + "}:w")).isEqualTo(":1");

      redis.kill();
      for (int i = 0; i < 20; i++) {
        Api.Resp r = app.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
        assertThat(r.header("X-RateLimit-Limit")).isEqualTo("1000");
      }
      JsonObject down = stats(app);
      assertThat(down.getBoolean("redis_up")).isFalse();
      assertThat(down.getLong("redis_fallbacks")).isPositive();
      assertThat(down.getLong("fallback_checks")).isGreaterThanOrEqualTo(20);

      redis.startAgain();   // empty: the script cache is gone too, so EVALSHA meets NOSCRIPT
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!stats(app).getBoolean("redis_up") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(stats(app).getBoolean("redis_up")).isTrue();
      app.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
      JsonObject back = stats(app);
      assertThat(back.getLong("redis_checks")).isGreaterThan(onRedis);
      assertThat(redis.command("EXISTS forge:rl:{u:" + user.id() + "}:w")).isEqualTo(":1");
    }
  }

  @Test
  void aRedisThatNeverAnswersMeansNothingUncounted() throws Exception {
    // accepts connections and never answers: a hung Redis. The node has never heard Redis on this
    // user, so it starts from nothing remaining: 5 per hour refill one every 12 minutes
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         TestApp app = TestApp.start(env("CHRYSALIS_RATE_FREE_PER_MINUTE", "5", "CHRYSALIS_RATE_WINDOW_SECONDS", "3600",
           "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "0", "CHRYSALIS_REDIS_URL", "redis://127.0.0.1:" + silent.getLocalPort()))) {
      Users.Registered user = Users.register(app.api());
      for (int i = 0; i < 5; i++) {
        Api.Resp r = app.api().call("getCurrentUser").bearer(user.token()).send().expect(429);
        assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 720L);
      }
      assertThat(stats(app).getBoolean("redis_up")).isFalse();
    }
  }

  private static JsonObject stats(TestApp app) throws Exception {
    return Patient.rateLimit(app.vertx()).stats().await(60, TimeUnit.SECONDS);
  }
}
