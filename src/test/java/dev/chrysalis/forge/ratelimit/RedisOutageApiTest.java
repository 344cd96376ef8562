package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis limiter is exact while Redis answers and exact-or-stricter when it does not, with the
 * service's default Redis timeout, through real HTTP, with a redis-server of each test's own that
 * the test pauses (SIGSTOP), kills and restarts. Windows are a day long so nothing refills while
 * a test runs: "at most L" is then a plain count of 2xx answers.
 */
class RedisOutageApiTest {

  private static final String DAY = "86400";

  private static Map<String, String> env(RedisProcess redis, String perWindow, String publicPerWindow) {
    return TestApp.env("CHRYSALIS_REDIS_URL", redis.url(), "CHRYSALIS_RATE_WINDOW_SECONDS", DAY,
      "CHRYSALIS_RATE_FREE_PER_MINUTE", perWindow, "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", publicPerWindow,
      "CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1", "CHRYSALIS_REDIS_RETRY_MS", "200",
      // the HTTP layer waits for the limiter as long as a loaded test machine may need
      "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000");
  }

  @Test
  void twoHundredConcurrentRequestsOnAContendedMachineGetExactlyTheLimit() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(env(redis, "10", "10"))) {
      Users.Registered user = Users.register(app.api());
      Api fromAddress = app.api().withHeader("X-Forwarded-For", "198.51.100.20");
      List<Integer> users;
      List<Integer> addresses;
      try (CpuHog hog = new CpuHog()) {
        users = fire(200, 100, i -> app.api().call("getCurrentUser").bearer(user.token()).send().status());
        addresses = fire(200, 100, i -> fromAddress.call("listPlans").send().status());
      }
      assertThat(count(users, 200)).isEqualTo(10);
      assertThat(count(users, 429)).isEqualTo(190);
      assertThat(count(addresses, 200)).isEqualTo(10);
      assertThat(count(addresses, 429)).isEqualTo(190);
      JsonObject stats = stats(app);
      // no check was mistaken for an outage, however long it waited behind the others
      assertThat(stats.getLong("redis_fallbacks")).isZero();
      assertThat(stats.getLong("fallback_checks")).isZero();
      System.out.printf("contended burst: slowest Redis check %.1f ms, %d checks slower than the %s ms timeout%n",
        stats.getDouble("redis_check_max_ms"), stats.getLong("redis_slow_checks"), "250");
    }
  }

  @Test
  void redisPausedInTheMiddleOfABurstLetsAtMostTheLimitThrough() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(env(redis, "30", "30"))) {
      Users.Registered user = Users.register(app.api());
      Api fromAddress = app.api().withHeader("X-Forwarded-For", "198.51.100.21");
      AtomicInteger done = new AtomicInteger();
      List<Integer> statuses = fire(300, 16, i -> {
        int s = i % 2 == 0
          ? app.api().call("getCurrentUser").bearer(user.token()).send().status()
          : fromAddress.call("listPlans").send().status();
        int n = done.incrementAndGet();
        if (n == 40) {
          redis.pause();
        } else if (n == 200) {
          redis.resume();
        }
        return s;
      });
      if (done.get() < 200) {
        redis.resume();
      }
      assertThat(stats(app).getLong("redis_fallbacks")).as("the pause was noticed").isPositive();
      awaitRedisUp(app);
      List<Integer> after = fire(60, 16, i -> i % 2 == 0
        ? app.api().call("getCurrentUser").bearer(user.token()).send().status()
        : fromAddress.call("listPlans").send().status());
      List<Integer> userStatuses = new ArrayList<>();
      List<Integer> addressStatuses = new ArrayList<>();
      split(statuses, userStatuses, addressStatuses);
      split(after, userStatuses, addressStatuses);
      assertThat(count(userStatuses, 200)).isBetween(1L, 30L);
      assertThat(count(addressStatuses, 200)).isBetween(1L, 30L);
      assertThat(userStatuses).allMatch(s -> s == 200 || s == 429 || s == 503);
      assertThat(addressStatuses).allMatch(s -> s == 200 || s == 429 || s == 503);
    }
  }

  @Test
  void redisKilledAndRestartedLetsExactlyTheLimitThroughDuringAndAfter() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(env(redis, "20", "20"))) {
      Users.Registered user = Users.register(app.api());
      Api fromAddress = app.api().withHeader("X-Forwarded-For", "198.51.100.22");
      for (int i = 0; i < 5; i++) {
        app.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
        fromAddress.call("listPlans").send().expect(200);
      }
      redis.kill();
      List<Integer> userDuring = fire(50, 16, i -> app.api().call("getCurrentUser").bearer(user.token()).send().status());
      List<Integer> addressDuring = fire(50, 16, i -> fromAddress.call("listPlans").send().status());
      // one node alone continues from what Redis last told it: exactly what was left
      assertThat(count(userDuring, 200)).isEqualTo(15);
      assertThat(count(userDuring, 429)).isEqualTo(35);
      assertThat(count(addressDuring, 200)).isEqualTo(15);
      assertThat(count(addressDuring, 429)).isEqualTo(35);
      assertThat(stats(app).getBoolean("redis_up")).isFalse();

      redis.startAgain();   // empty: the node writes back what it knows before trusting it
      awaitRedisUp(app);
      List<Integer> userAfter = fire(50, 16, i -> app.api().call("getCurrentUser").bearer(user.token()).send().status());
      List<Integer> addressAfter = fire(50, 16, i -> fromAddress.call("listPlans").send().status());
      assertThat(count(userAfter, 200)).isZero();
      assertThat(count(addressAfter, 200)).isZero();
      assertThat(stats(app).getLong("reconciled_subjects")).isGreaterThanOrEqualTo(2);
      assertThat(redis.command("EXISTS forge:rl:{u:" + user.id() + "}:w")).isEqualTo(":1");
    }
  }

  @Test
  void aRestartBetweenTwoRequestsIsNoticedAndNothingIsForgotten() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(env(redis, "20", "20"))) {
      Users.Registered user = Users.register(app.api());
      for (int i = 0; i < 15; i++) {
        app.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
      }
      redis.kill();
      redis.startAgain();   // no request saw it down: only the lost instance marker tells
      List<Integer> statuses = fire(50, 16, i -> app.api().call("getCurrentUser").bearer(user.token()).send().status());
      awaitRedisUp(app);
      statuses.addAll(fire(50, 16, i -> app.api().call("getCurrentUser").bearer(user.token()).send().status()));
      assertThat(count(statuses, 200)).isBetween(1L, 5L);
      assertThat(stats(app).getLong("redis_fallbacks")).isPositive();
    }
  }

  @Test
  void perMinuteZeroIsUnlimited() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(env(redis, "0", "0"))) {
      Users.Registered user = Users.register(app.api());
      List<Integer> statuses = fire(300, 50, i -> app.api().call("getCurrentUser").bearer(user.token()).send().status());
      assertThat(count(statuses, 200)).isEqualTo(300);
      Api.Resp one = app.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
      assertThat(one.header("X-RateLimit-Limit")).isNull();
      // nothing to count, so nothing is stored
      assertThat(redis.command("EXISTS forge:rl:{u:" + user.id() + "}:w")).isEqualTo(":0");
    }
  }

  static void split(List<Integer> alternating, List<Integer> even, List<Integer> odd) {
    for (int i = 0; i < alternating.size(); i++) {
      (i % 2 == 0 ? even : odd).add(alternating.get(i));
    }
  }

  static void awaitRedisUp(TestApp app) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!"up".equals(stats(app).getString("redis_state")) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(stats(app).getString("redis_state")).isEqualTo("up");
  }

  /** {@code count} requests from {@code threads} client threads; statuses in request order. */
  static List<Integer> fire(int count, int threads, IntFunction<Integer> request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        futures.add(pool.submit(() -> request.apply(n)));
      }
      List<Integer> out = new ArrayList<>();
      for (Future<Integer> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  static long count(List<Integer> statuses, int status) {
    return statuses.stream().filter(s -> s == status).count();
  }

  static JsonObject stats(TestApp app) throws Exception {
    return Patient.rateLimit(app.vertx()).stats().await(60, TimeUnit.SECONDS);
  }
}
