package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.config.EnvOverrides;
import dev.chrysalis.forge.store.DatabaseTarget;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.store.Pools;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.MutableClock;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Day limits against real PostgreSQL (and Redis), with a clock the test moves: exact under
 * concurrency, kept across a restart of the limiter, reset at 00:00 UTC. Also the plan source.
 * The limiter is deployed on the extension's Vert.x and called through its proxy.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DayLimitStoreTest {

  private Vertx vertx;
  private JsonObject config;
  // a day in the future: Redis expires the day key at the driven midnight + 1 h by its own real
  // clock, so a driven day in the past would be gone before the second check
  private final MutableClock clock = new MutableClock(Instant.parse("2099-11-25T23:59:58Z"));

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    DatabaseTarget target = DatabaseTarget.fromUrl(TestDatabase.freshDatabaseUrl());
    Map<String, String> env = TestApp.baseEnv();
    env.put("CHRYSALIS_RATE_FREE_PER_DAY", "3");
    // the exactness under test holds while PostgreSQL answers; a loaded test machine may be slow
    env.put("CHRYSALIS_RATE_DAY_QUERY_TIMEOUT_MS", "10000");
    // likewise Redis: a check slower than the default 50 ms falls back to the in-process counter
    env.put("CHRYSALIS_REDIS_TIMEOUT_MS", "10000");
    config = ConfigLoader.load(Map.of("CHRYSALIS_CONFIG", Path.of("conf", "forge.yaml").toString()));
    EnvOverrides.apply(config, env);
    config.getJsonObject("database").put("connect", target.toJson());
    Migrations.run(vertx, target).onComplete(ctx.succeedingThenComplete());
  }

  private Future<String> deploy(PlanSource plans) {
    return vertx.deployVerticle(new RateLimitVerticle(clock, (v, c) -> plans), new DeploymentOptions().setConfig(config));
  }

  private Future<String> deploy() {
    return deploy(new DefaultPlanSource("free"));
  }

  private Future<JsonObject> check(String userId) {
    return check(new JsonObject().put("user_id", userId));
  }

  private Future<JsonObject> check(JsonObject request) {
    return Patient.rateLimit(vertx).check(request);
  }

  /** The answers of n checks made one after another. */
  private Future<List<JsonObject>> checks(String userId, int n) {
    Future<List<JsonObject>> all = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      all = all.compose(list -> check(userId).map(r -> {
        list.add(r);
        return list;
      }));
    }
    return all;
  }

  /** Checks until the answer satisfies the condition (10 s at most), and gives the last answer. */
  private Future<JsonObject> checkUntil(JsonObject request, Predicate<JsonObject> done, long deadlineNanos) {
    return check(request).compose(r -> done.test(r) || System.nanoTime() > deadlineNanos
      ? Future.succeededFuture(r)
      : checkUntil(request, done, deadlineNanos));
  }

  @Test
  void dayLimitSurvivesARestartAndResetsAtUtcMidnight(VertxTestContext ctx) throws Throwable {
    dayScenario().onComplete(ctx.succeedingThenComplete());
    BusFlow.await(ctx);
  }

  @Test
  void dayLimitOnRedisResetsAtUtcMidnight(VertxTestContext ctx) throws Throwable {
    try (RedisProcess redis = RedisProcess.start()) {
      EnvOverrides.set(config, "ratelimit.redis_url", redis.url());
      dayScenario()
        .compose(v -> Patient.rateLimit(vertx).stats())
        .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertThat(stats.getLong("redis_checks")).isPositive();
          ctx.completeNow();
        })));
      BusFlow.await(ctx);
    }
  }

  private Future<Void> dayScenario() {
    return deploy()
      .compose(deployment -> checks("usr_day", 4).compose(answers -> {
        for (int i = 1; i <= 3; i++) {
          JsonObject ok = answers.get(i - 1);
          assertThat(ok.getBoolean("allowed")).isTrue();
          assertThat(ok.getString("window")).isEqualTo("day");
          assertThat(ok.getLong("remaining")).isEqualTo(3 - i);
        }
        JsonObject refused = answers.get(3);
        assertThat(refused.getBoolean("allowed")).isFalse();
        assertThat(refused.getString("denied_by")).isEqualTo("day");
        assertThat(refused.getLong("retry_after")).isEqualTo(2);   // 23:59:58 → midnight
        assertThat(refused.getString("message")).contains("3 requests per day");
        // restart the limiter: the count is not forgotten
        return vertx.undeploy(deployment);
      }))
      .compose(v -> deploy())
      .compose(v -> {
        clock.set(Instant.parse("2099-11-25T23:59:59.999Z"));
        return check("usr_day");
      })
      .compose(afterRestart -> {
        assertThat(afterRestart.getBoolean("allowed")).isFalse();
        clock.set(Instant.parse("2099-11-26T00:00:00Z"));
        return check("usr_day");
      })
      .map(next -> {
        assertThat(next.getBoolean("allowed")).isTrue();
        assertThat(next.getLong("remaining")).isEqualTo(2);
        assertThat(next.getLong("reset")).isEqualTo(Instant.parse("2099-11-27T00:00:00Z").getEpochSecond());
        return null;
      });
  }

  @Test
  void concurrentTakesNeverPassTheLimit() throws Exception {
    Pool pool = Pools.shared(vertx, config);
    try {
      DayCounterStore store = new DayCounterStore(pool);
      LocalDate day = LocalDate.of(2026, 11, 25);
      List<Future<Long>> takes = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        takes.add(store.take("u:concurrent", day, 60));
      }
      Future.all(takes).await(60, TimeUnit.SECONDS);
      assertThat(takes.stream().filter(f -> f.result() >= 0).count()).isEqualTo(60);
      assertThat(takes.stream().map(Future::result).filter(c -> c >= 0).distinct().count()).isEqualTo(60);
      assertThat(store.count("u:concurrent", day).await(60, TimeUnit.SECONDS)).isEqualTo(60);
      assertThat(store.count("u:concurrent", day.plusDays(1)).await(60, TimeUnit.SECONDS)).isZero();
      assertThat(store.purgeBefore(day.plusDays(1)).await(60, TimeUnit.SECONDS)).isEqualTo(1);
    } finally {
      pool.close().await(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void tiersComeFromThePlanSourceAreCachedAndForgottenOnPlanChange(VertxTestContext ctx) throws Throwable {
    Map<String, String> plans = new ConcurrentHashMap<>(Map.of("usr_pro", "pro", "usr_odd", "no-such-plan"));
    plans.put("org:org_big", "enterprise");
    JsonObject inOrg = new JsonObject().put("user_id", "usr_member").put("org_id", "org_big");
    deploy((userId, orgId) -> userId.equals("usr_broken")
      ? Future.failedFuture(new IllegalStateException("billing down"))
      : Future.succeededFuture(plans.getOrDefault(orgId != null ? "org:" + orgId : userId, "free")))
      .compose(d -> Future.all(check("usr_pro"), check("usr_odd")))
      .compose(first -> {
        assertThat(first.<JsonObject>resultAt(0).getString("tier")).isEqualTo("pro");
        assertThat(first.<JsonObject>resultAt(1).getString("tier")).isEqualTo("free");
        return checks("usr_broken", 2);
      })
      .compose(broken -> {
        assertThat(broken.get(0).getString("tier")).isEqualTo("free");
        assertThat(broken.get(1).getString("tier")).as("a failed lookup is not repeated at once").isEqualTo("free");
        // in an org's context the org's plan sets the tier
        return check(inOrg);
      })
      .compose(org -> {
        assertThat(org.getString("tier")).isEqualTo("enterprise");
        plans.put("org:org_big", "team");
        vertx.eventBus().publish(RateLimitService.PLAN_CHANGED_ADDRESS, "org:org_big");
        return checkUntil(inOrg, r -> "team".equals(r.getString("tier")), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
      })
      .compose(org -> {
        assertThat(org.getString("tier")).isEqualTo("team");
        plans.put("usr_pro", "team");
        return check("usr_pro");
      })
      .compose(cached -> {
        assertThat(cached.getString("tier")).as("cached").isEqualTo("pro");
        vertx.eventBus().publish(RateLimitService.PLAN_CHANGED_ADDRESS, "user:usr_pro");
        return checkUntil(new JsonObject().put("user_id", "usr_pro"), r -> "team".equals(r.getString("tier")),
          System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
      })
      .compose(changed -> {
        assertThat(changed.getString("tier")).isEqualTo("team");
        return Patient.rateLimit(vertx).stats();
      })
      .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
        assertThat(stats.getLong("plan_lookup_errors")).isEqualTo(1);
        assertThat(stats.getString("backend")).isEqualTo("memory");
        ctx.completeNow();
      })));
    BusFlow.await(ctx);
  }
}
