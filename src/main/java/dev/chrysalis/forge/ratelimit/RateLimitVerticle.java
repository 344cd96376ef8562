package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.store.Pools;
import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Serves {@link RateLimitService} on {@value RateLimitService#ADDRESS}. Deploy exactly one
 * instance per node: it owns the node's limiter state and tier cache. On a standalone node without
 * Redis the same service is also handed to this node's HTTP verticles ({@link InProcessLimiter}),
 * which then check on their own event loops.
 */
public class RateLimitVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitVerticle.class);
  private static final long SWEEP_MILLIS = 30_000;
  private static final long PURGE_MILLIS = 3_600_000;

  private final Clock clock;
  private final BiFunction<io.vertx.core.Vertx, RateLimitConfig, PlanSource> planSources;
  private Pool pool;
  private Limiter limiter;
  private MessageConsumer<JsonObject> binding;
  private MessageConsumer<Object> planChanges;
  private MessageConsumer<Object> redisDown;
  private java.util.function.LongConsumer sweeper;
  private RateLimitServiceImpl service;

  /** Tiers from the billing service's plans. */
  public RateLimitVerticle() {
    this(Clock.systemUTC(), (vertx, config) -> new BillingPlanSource(vertx));
  }

  /** For tests (a movable clock) and for wiring another plan source. */
  public RateLimitVerticle(Clock clock, BiFunction<io.vertx.core.Vertx, RateLimitConfig, PlanSource> planSources) {
    this.clock = clock;
    this.planSources = planSources;
  }

  @Override
  public Future<?> start() {
    RateLimitConfig config = RateLimitConfig.from(config());
    pool = Pools.shared(vertx, config());
    DayCounterStore days = new DayCounterStore(pool);
    MemoryLimiter memory = new MemoryLimiter(config.maxEntries(),
      new DayLeases(days, config.dayQueryTimeoutMs(), config.dayLeaseMax()));
    // open a pool connection now, so the first check does not pay for it
    Future<Void> ready = days.count("warm-up", UtcDays.date(clock.millis())).<Void>mapEmpty()
      .timeout(5, TimeUnit.SECONDS).otherwise(t -> null);
    if (config.redisEnabled()) {
      RedisLimiter redis = new RedisLimiter(vertx, config.redisUrl(), config.keyPrefix());
      FailoverLimiter failover = new FailoverLimiter(vertx, redis, new OutageLimiter(config.maxEntries()),
        config.redisTimeoutMs(), config.redisRetryMs(), this::liveNodes,
        () -> vertx.eventBus().publish(RateLimitService.REDIS_DOWN_ADDRESS, nodeId()));
      failover.registerMetrics(Metrics.of(vertx));
      limiter = failover;
      sweeper = failover::sweep;
      // every node counts with its share as soon as one finds Redis unreachable
      redisDown = vertx.eventBus().consumer(RateLimitService.REDIS_DOWN_ADDRESS, msg -> {
        if (!nodeId().equals(msg.body())) {
          failover.peerDown();
        }
      });
      LOG.info("rate limits through Redis (a node's share of each limit when Redis answers nothing for {} ms)",
        config.redisTimeoutMs());
      // a Redis that is down at start is not fatal: checks count with the node's share until it answers
      ready = ready.compose(v -> failover.warmUp().timeout(2, TimeUnit.SECONDS))
        .otherwise(t -> {
          LOG.warn("Redis did not answer at start ({}); checks count with this node's share until it does",
            t.getClass().getSimpleName());
          return null;
        });
    } else {
      limiter = memory;
      LOG.info("rate limits in-process; day counters leased from PostgreSQL in blocks of up to {} spare units",
        config.dayLeaseMax());
    }
    service = new RateLimitServiceImpl(config, clock, planSources.apply(vertx, config), limiter, memory);
    service.registerMetrics(Metrics.of(vertx));
    vertx.setPeriodic(SWEEP_MILLIS, id -> {
      memory.sweep(clock.millis());
      if (sweeper != null) {
        sweeper.accept(clock.millis());
      }
    });
    vertx.setPeriodic(PURGE_MILLIS, id -> days.purgeBefore(UtcDays.date(clock.millis()).minusDays(2))
      .onFailure(t -> LOG.warn("could not purge old day counters: {}", t.getClass().getSimpleName())));
    // billing publishes "user:<id>" or "org:<id>" when it assigns a plan
    planChanges = vertx.eventBus().consumer(RateLimitService.PLAN_CHANGED_ADDRESS, msg -> {
      if (msg.body() instanceof String subject) {
        service.forgetPlan(subject);
      }
    });
    // local: each node's HTTP verticles ask their own limiter (one local hop; shared state is in Redis)
    binding = new ServiceBinder(vertx).setAddress(RateLimitService.ADDRESS).registerLocal(RateLimitService.class, service);
    if (!config.redisEnabled() && !vertx.isClustered()) {
      // the whole state is in this JVM: this node's HTTP verticles check on their own event loops
      InProcessLimiter.register(vertx, service);
    }
    Future<Void> downReady = redisDown == null ? Future.succeededFuture() : redisDown.completion();
    return Future.all(binding.completion(), planChanges.completion(), downReady, ready);
  }

  /** Nodes sharing the limits: the cluster's members, or this node alone. */
  private int liveNodes() {
    if (!vertx.isClustered()) {
      return 1;
    }
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    return cm == null ? 1 : Math.max(1, cm.getNodes().size());
  }

  private String nodeId() {
    if (!vertx.isClustered()) {
      return "local";
    }
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    return cm == null ? "local" : cm.getNodeId();
  }

  @Override
  public Future<?> stop() {
    InProcessLimiter.unregister(vertx);
    Future<Void> down = redisDown == null ? Future.succeededFuture() : redisDown.unregister();
    return Future.all(binding.unregister(), planChanges.unregister(), down)
      .eventually(() -> limiter.close())
      .eventually(() -> pool.close());
  }
}
