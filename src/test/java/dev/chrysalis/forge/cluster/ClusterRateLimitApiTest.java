package dev.chrysalis.forge.cluster;

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
}
