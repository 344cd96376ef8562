package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.config.EnvOverrides;
import dev.chrysalis.forge.store.DatabaseTarget;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.store.Pools;
import dev.chrysalis.forge.testing.MutableClock;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Day limits against real PostgreSQL (and Redis), with a clock the test moves: exact under
 * concurrency, kept across a restart of the limiter, reset at 00:00 UTC. Also the plan source.
 */
class DayLimitStoreTest {

  private Vertx vertx;
  private JsonObject config;
  // a day in the future: Redis expires the day key at the driven midnight + 1 h by its own real
  // clock, so a driven day in the past would be gone before the second check
  private final MutableClock clock = new MutableClock(Instant.parse("2099-11-25T23:59:58Z"));

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    DatabaseTarget target = DatabaseTarget.fromUrl(TestDatabase.freshDatabaseUrl());
    Migrations.run(vertx, target).await(60, TimeUnit.SECONDS);
    Map<String, String> env = TestApp.baseEnv();
    env.put("CHRYSALIS_RATE_FREE_PER_DAY", "3");
    // the exactness under test holds while PostgreSQL answers; a loaded test machine may be slow
    env.put("CHRYSALIS_RATE_DAY_QUERY_TIMEOUT_MS", "10000");
    // likewise Redis: a check slower than the default 50 ms falls back to the in-process counter
    env.put("CHRYSALIS_REDIS_TIMEOUT_MS", "10000");
    config = ConfigLoader.load(Map.of("CHRYSALIS_CONFIG", Path.of("conf", "forge.yaml").toString()));
    EnvOverrides.apply(config, env);
    config.getJsonObject("database").put("connect", target.toJson());
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private String deploy(PlanSource plans) throws Exception {
    return vertx.deployVerticle(new RateLimitVerticle(clock, (v, c) -> plans),
      new DeploymentOptions().setConfig(config)).await(30, TimeUnit.SECONDS);
  }

  private String deploy() throws Exception {
    return deploy(new DefaultPlanSource("free"));
  }

  private JsonObject check(String userId) throws Exception {
    return Patient.rateLimit(vertx).check(new JsonObject().put("user_id", userId)).await(60, TimeUnit.SECONDS);
  }

  @Test
  void dayLimitSurvivesARestartAndResetsAtUtcMidnight() throws Exception {
    dayScenario();
  }

  @Test
  void dayLimitOnRedisResetsAtUtcMidnight() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      EnvOverrides.set(config, "ratelimit.redis_url", redis.url());
      dayScenario();
      assertThat(Patient.rateLimit(vertx).stats().await(60, TimeUnit.SECONDS).getLong("redis_checks"))
        .isPositive();
    }
  }

  private void dayScenario() throws Exception {
    String deployment = deploy();
    for (int i = 1; i <= 3; i++) {
      JsonObject ok = check("usr_day");
      assertThat(ok.getBoolean("allowed")).isTrue();
      assertThat(ok.getString("window")).isEqualTo("day");
      assertThat(ok.getLong("remaining")).isEqualTo(3 - i);
    }
    JsonObject refused = check("usr_day");
    assertThat(refused.getBoolean("allowed")).isFalse();
    assertThat(refused.getString("denied_by")).isEqualTo("day");
    assertThat(refused.getLong("retry_after")).isEqualTo(2);   // 23:59:58 → midnight
    assertThat(refused.getString("message")).contains("3 requests per day");

    // restart the limiter: the count is not forgotten
    vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
    deploy();
    clock.set(Instant.parse("2099-11-25T23:59:59.999Z"));
    assertThat(check("usr_day").getBoolean("allowed")).isFalse();

    clock.set(Instant.parse("2099-11-26T00:00:00Z"));
    JsonObject next = check("usr_day");
    assertThat(next.getBoolean("allowed")).isTrue();
    assertThat(next.getLong("remaining")).isEqualTo(2);
    assertThat(next.getLong("reset")).isEqualTo(Instant.parse("2099-11-27T00:00:00Z").getEpochSecond());
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
  void tiersComeFromThePlanSourceAreCachedAndForgottenOnPlanChange() throws Exception {
    Map<String, String> plans = new ConcurrentHashMap<>(Map.of("usr_pro", "pro", "usr_odd", "no-such-plan"));
    plans.put("org:org_big", "enterprise");
    deploy((userId, orgId) -> userId.equals("usr_broken")
      ? Future.failedFuture(new IllegalStateException("billing down"))
      : Future.succeededFuture(plans.getOrDefault(orgId != null ? "org:" + orgId : userId, "free")));
    assertThat(check("usr_pro").getString("tier")).isEqualTo("pro");
    assertThat(check("usr_odd").getString("tier")).isEqualTo("free");
    assertThat(check("usr_broken").getString("tier")).isEqualTo("free");
    assertThat(check("usr_broken").getString("tier")).as("a failed lookup is not repeated at once").isEqualTo("free");

    // in an org's context the org's plan sets the tier
    JsonObject inOrg = Patient.rateLimit(vertx)
      .check(new JsonObject().put("user_id", "usr_member").put("org_id", "org_big")).await(60, TimeUnit.SECONDS);
    assertThat(inOrg.getString("tier")).isEqualTo("enterprise");
    plans.put("org:org_big", "team");
    vertx.eventBus().publish(RateLimitService.PLAN_CHANGED_ADDRESS, "org:org_big");
    long orgDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!"team".equals(inOrg.getString("tier")) && System.nanoTime() < orgDeadline) {
      inOrg = Patient.rateLimit(vertx)
        .check(new JsonObject().put("user_id", "usr_member").put("org_id", "org_big")).await(60, TimeUnit.SECONDS);
    }
    assertThat(inOrg.getString("tier")).isEqualTo("team");

    plans.put("usr_pro", "team");
    assertThat(check("usr_pro").getString("tier")).as("cached").isEqualTo("pro");
    vertx.eventBus().publish(RateLimitService.PLAN_CHANGED_ADDRESS, "user:usr_pro");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String tier = "pro";
    while (!tier.equals("team") && System.nanoTime() < deadline) {
      tier = check("usr_pro").getString("tier");
    }
    assertThat(tier).isEqualTo("team");
    JsonObject stats = Patient.rateLimit(vertx).stats().await(60, TimeUnit.SECONDS);
    assertThat(stats.getLong("plan_lookup_errors")).isEqualTo(1);
    assertThat(stats.getString("backend")).isEqualTo("memory");
  }
}
