package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.ratelimit.RateLimitService;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clustered nodes share one redis-server: a user's limit holds across the cluster, so of 100
 * concurrent requests spread over both nodes exactly the limit pass (not the limit per node).
 */
class ClusterRateLimitApiTest {

  @Test
  void exactlyTheLimitPassesAcrossTwoNodes() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      String db = TestDatabase.freshDatabaseUrl();
      ClusterNodes nodes = new ClusterNodes(2);
      // a one-hour window of 40, so nothing refills during the burst; Redis given time to answer
      // under load so no check falls back to a node's own counters
      String[] limits = {"CHRYSALIS_RATE_FREE_PER_MINUTE", "40", "CHRYSALIS_RATE_WINDOW_SECONDS", "3600",
        "CHRYSALIS_REDIS_TIMEOUT_MS", "5000", "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000"};
      try (TestApp a = TestApp.start(nodes.env(0, db, redis.url(), limits));
           TestApp b = TestApp.start(nodes.env(1, db, redis.url(), limits))) {
        Users.Registered user = Users.register(a.api());
        Api[] apis = {a.api(), b.api()};
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Integer> statuses = new ArrayList<>();
        try {
          CountDownLatch go = new CountDownLatch(1);
          List<Future<Integer>> futures = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            Api api = apis[i % 2];
            futures.add(pool.submit(() -> {
              go.await();
              return api.call("getCurrentUser").bearer(user.token()).send().status();
            }));
          }
          go.countDown();
          for (Future<Integer> f : futures) {
            statuses.add(f.get());
          }
        } finally {
          pool.shutdownNow();
        }
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(40);
        assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(60);
        // both nodes refused some: the shared counter, not one node's
        for (Api api : apis) {
          assertThat(api.call("getCurrentUser").bearer(user.token()).send().status()).isEqualTo(429);
          // and every check was Redis's: no node fell back to counting on its own
          assertThat(api.call("getMetrics").send().expect(200).text())
            .contains("forge_ratelimit_fallbacks_total{reason=\"redis\"} 0.0");
        }
      }
    }
  }

  /**
   * Redis killed under two clustered nodes: while it is down each node may let through only its
   * share, starting from nothing remaining (a node's memory of Redis may be older than the
   * other's), so together they never pass the limit; when Redis is back, both write what they
   * know into it, and the rest of the limit is served exactly, per user and per client address.
   */
  @Test
  void twoNodesDuringARedisOutageStayWithinTheLimitTogether() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      String db = TestDatabase.freshDatabaseUrl();
      ClusterNodes nodes = new ClusterNodes(2);
      String[] limits = {"CHRYSALIS_RATE_FREE_PER_MINUTE", "40", "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "40",
        "CHRYSALIS_RATE_WINDOW_SECONDS", "86400", "CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1",
        "CHRYSALIS_REDIS_RETRY_MS", "200", "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000"};
      try (TestApp a = TestApp.start(nodes.env(0, db, redis.url(), limits));
           TestApp b = TestApp.start(nodes.env(1, db, redis.url(), limits))) {
        Users.Registered user = Users.register(a.api());
        Api[] apis = {a.api(), b.api()};
        Api[] addresses = {a.api().withHeader("X-Forwarded-For", "198.51.100.30"),
          b.api().withHeader("X-Forwarded-For", "198.51.100.30")};
        for (int i = 0; i < 10; i++) {
          apis[i % 2].call("getCurrentUser").bearer(user.token()).send().expect(200);
          addresses[i % 2].call("listPlans").send().expect(200);
        }
        redis.kill();
        List<Integer> userDuring = fire(100, 20, i -> apis[i % 2].call("getCurrentUser").bearer(user.token()).send().status());
        List<Integer> addressDuring = fire(100, 20, i -> addresses[i % 2].call("listPlans").send().status());
        // nothing remaining for either node's share: a day's window refills one share unit in 72 minutes
        assertThat(userDuring).allMatch(s -> s == 429 || s == 503);
        assertThat(addressDuring).allMatch(s -> s == 429 || s == 503);

        redis.startAgain();
        for (TestApp app : new TestApp[] {a, b}) {
          awaitRedisAlone(app);
        }
        List<Integer> userAfter = fire(100, 20, i -> apis[i % 2].call("getCurrentUser").bearer(user.token()).send().status());
        List<Integer> addressAfter = fire(100, 20, i -> addresses[i % 2].call("listPlans").send().status());
        // what both nodes knew was written back, so exactly the rest of the limit passes
        assertThat(userAfter.stream().filter(s -> s == 200).count()).isEqualTo(30);
        assertThat(addressAfter.stream().filter(s -> s == 200).count()).isEqualTo(30);
      }
    }
  }

  private static void awaitRedisAlone(TestApp app) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if ("up".equals(RateLimitService.createProxyWaiting(app.vertx(), 30_000).stats()
        .await(60, TimeUnit.SECONDS).getString("redis_state"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the node did not go back to Redis alone");
  }

  private static List<Integer> fire(int count, int threads, java.util.function.IntFunction<Integer> request) throws Exception {
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
}
