package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Lets the JMH benchmarks (package bench) drive the package-private backends. */
public final class LimiterBenchAccess {

  /** 100 per minute per subject, no day limit: the benchmark measures the check, allowed or not. */
  private static final Limits LIMITS = new Limits(100, 60_000_000L, 0);

  private final Limiter limiter;

  private LimiterBenchAccess(Limiter limiter) {
    this.limiter = limiter;
  }

  public static LimiterBenchAccess memory(int maxEntries) {
    return new LimiterBenchAccess(new MemoryLimiter(maxEntries, null));
  }

  public static LimiterBenchAccess redis(Vertx vertx, String url) {
    return new LimiterBenchAccess(new RedisLimiter(vertx, url, "forge:rl:bench"));
  }

  /** For backends that answer synchronously (the in-process one without a day limit). */
  public boolean checkNow(String subject, long nowMillis) {
    return limiter.check(subject, LIMITS, nowMillis).result().allowed();
  }

  public Future<Boolean> check(String subject, long nowMillis) {
    return limiter.check(subject, LIMITS, nowMillis).map(Decision::allowed);
  }

  public Future<Void> close() {
    return limiter.close();
  }
}
