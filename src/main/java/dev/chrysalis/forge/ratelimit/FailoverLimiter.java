package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis first; when Redis fails or takes longer than the timeout, the check is answered by the
 * in-process limiter instead and the node stays on it (logged once per outage, counted) while a
 * timer pings Redis every {@code retryMs}; the first answered ping puts the node back on Redis.
 * The limiter itself therefore never fails a request.
 */
final class FailoverLimiter implements Limiter {

  private static final Logger LOG = LoggerFactory.getLogger(FailoverLimiter.class);

  private final Vertx vertx;
  private final Context context;
  private final RedisLimiter redis;
  private final MemoryLimiter fallback;
  private final long timeoutMs;
  private final long retryMs;
  private volatile boolean redisUp = true;
  private long probeTimer = -1;
  private boolean probing;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong fallbackChecks = new AtomicLong();
  private final AtomicLong redisErrors = new AtomicLong();
  private final AtomicLong redisChecks = new AtomicLong();

  /** Fallbacks to in-process on /metrics as forge_ratelimit_fallbacks_total. */
  void registerMetrics(Metrics metrics) {
    metrics.counterOf(Metrics.LIMITER_FALLBACKS, fallbacks, "reason", "redis");
  }

  FailoverLimiter(Vertx vertx, RedisLimiter redis, MemoryLimiter fallback, long timeoutMs, long retryMs) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.redis = redis;
    this.fallback = fallback;
    this.timeoutMs = timeoutMs;
    this.retryMs = retryMs;
  }

  @Override
  public Future<Decision> check(String subject, Limits limits, long nowMillis) {
    if (!redisUp) {
      fallbackChecks.incrementAndGet();
      return fallback.check(subject, limits, nowMillis);
    }
    return redis.check(subject, limits, nowMillis).timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .map(d -> {
        redisChecks.incrementAndGet();
        return d;
      })
      .recover(t -> onOwnLoop(() -> {
        redisErrors.incrementAndGet();
        goDown(t);
        fallbackChecks.incrementAndGet();
        return fallback.check(subject, limits, nowMillis);
      }));
  }

  /** The in-process limiter and the probe timer belong to the verticle's event loop. */
  private Future<Decision> onOwnLoop(java.util.function.Supplier<Future<Decision>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<Decision> p = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(p));
    return p.future();
  }

  private void goDown(Throwable cause) {
    if (!redisUp) {
      return;
    }
    redisUp = false;
    fallbacks.incrementAndGet();
    LOG.warn("Redis unavailable ({}): rate limiting in-process on this node until it answers again",
      cause.getClass().getSimpleName());
    if (probeTimer < 0) {
      probeTimer = vertx.setPeriodic(retryMs, id -> probe());
    }
  }

  private void probe() {
    if (probing) {
      return;
    }
    probing = true;
    redis.ping().timeout(Math.max(timeoutMs, 200), TimeUnit.MILLISECONDS).onComplete(ar -> {
      probing = false;
      if (ar.succeeded() && !redisUp) {
        redisUp = true;
        vertx.cancelTimer(probeTimer);
        probeTimer = -1;
        LOG.info("Redis answers again: rate limiting through Redis on this node");
      }
    });
  }

  boolean redisUp() {
    return redisUp;
  }

  long fallbacks() {
    return fallbacks.get();
  }

  long fallbackChecks() {
    return fallbackChecks.get();
  }

  long redisErrors() {
    return redisErrors.get();
  }

  long redisChecks() {
    return redisChecks.get();
  }

  @Override
  public Future<Void> close() {
    if (probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
    }
    return redis.close().eventually(fallback::close);
  }
}
