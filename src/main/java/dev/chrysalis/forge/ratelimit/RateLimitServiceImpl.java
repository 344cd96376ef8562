package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;

/**
 * Resolves the caller's limits (tier cache, plan source), asks the backend, shapes the answer.
 * Thread-safe with the in-process backend (HTTP verticles call it on their own event loops, see
 * {@link InProcessLimiter}); with Redis it is called on the rate-limit verticle's event loop only.
 */
final class RateLimitServiceImpl implements RateLimitService {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitServiceImpl.class);
  static final String PUBLIC_TIER = "public";
  private static final int MAX_ID_LENGTH = 128;
  private static final long FAILED_LOOKUP_CACHE_MILLIS = 10_000;
  private static final long PLAN_ERROR_LOG_MILLIS = 60_000;

  private final RateLimitConfig config;
  private final Clock clock;
  private final PlanSource plans;
  private final Limiter limiter;
  private final MemoryLimiter memory;
  private final TierCache tierCache;
  private final Limits publicLimits;
  private final String windowName;
  private final LongAdder checks = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private final LongAdder planErrors = new LongAdder();
  private volatile long lastPlanErrorLog = Long.MIN_VALUE / 2;

  RateLimitServiceImpl(RateLimitConfig config, Clock clock, PlanSource plans, Limiter limiter, MemoryLimiter memory) {
    this.config = config;
    this.clock = clock;
    this.plans = plans;
    this.limiter = limiter;
    this.memory = memory;
    this.tierCache = new TierCache(Math.min(config.maxEntries(), 100_000), config.planCacheSeconds() * 1_000L);
    this.publicLimits = new Limits(config.publicPerWindow(), config.windowMicros(), 0);
    this.windowName = windowName(config.windowSeconds());
  }

  /** Refusals on /metrics as forge_ratelimit_limited_total (the LongAdder itself, read at scrape time). */
  void registerMetrics(Metrics metrics) {
    metrics.counterOf(Metrics.RATE_LIMITED, denied);
  }

  @Override
  public Future<JsonObject> check(JsonObject request) {
    String userId = text(request, "user_id");
    String orgId = text(request, "org_id");
    String ip = text(request, "ip");
    if (userId == null && ip == null) {
      return Errors.badRequest("invalid_request", "A check needs user_id or ip.", "user_id");
    }
    if (tooLong(userId) || tooLong(orgId) || tooLong(ip)) {
      return Errors.badRequest("invalid_request", "user_id, org_id and ip are at most " + MAX_ID_LENGTH + " characters.",
        null);
    }
    long now = clock.millis();
    if (userId == null) {
      return decide("ip:" + ClientSubnets.subject(ip), PUBLIC_TIER, publicLimits, now);
    }
    String cacheKey = TierCache.key(userId, orgId);
    String cached = tierCache.get(cacheKey, now);
    if (cached != null) {
      return decide("u:" + userId, cached, userLimits(cached), now);
    }
    return plans.planId(userId, orgId).transform(ar -> {
      if (ar.succeeded()) {
        String known = config.tiers().containsKey(ar.result()) ? ar.result() : config.defaultPlan();
        tierCache.put(cacheKey, known, now);
        return decide("u:" + userId, known, userLimits(known), now);
      }
      String plan = config.defaultPlan();
      if (orgId != null && ar.cause() instanceof ServiceException e && e.failureCode() == 404) {
        // not a member: counted on the default tier, then answered org_not_found by the caller.
        // Not cached, so a member who has just joined is served at once; the count bounds the cost.
        return decide("u:" + userId, plan, userLimits(plan), now).map(d -> d.put("org_not_found", true));
      }
      // without a plan the caller gets the default tier, kept briefly so a failing billing does
      // not cost a lookup per request
      planErrors.increment();
      if (now - lastPlanErrorLog >= PLAN_ERROR_LOG_MILLIS) {
        lastPlanErrorLog = now;
        LOG.warn("plan lookup failed, using the default tier: {}", ar.cause().getClass().getSimpleName());
      }
      tierCache.put(cacheKey, plan, now, FAILED_LOOKUP_CACHE_MILLIS);
      return decide("u:" + userId, plan, userLimits(plan), now);
    });
  }

  private Limits userLimits(String plan) {
    RateLimitConfig.Tier t = config.tier(plan);
    return new Limits(t.perWindow(), config.windowMicros(), t.perDay());
  }

  private Future<JsonObject> decide(String subject, String tier, Limits limits, long now) {
    checks.increment();
    if (limits.unlimited()) {
      return Future.succeededFuture(answer(Decision.allowed(0L, 0L), tier, limits, now));
    }
    return limiter.check(subject, limits, now)
      .map(d -> {
        if (!d.allowed()) {
          denied.increment();
        }
        return answer(d, tier, limits, now);
      })
      .recover(Errors::internal);
  }

  JsonObject answer(Decision d, String tier, Limits limits, long now) {
    if (limits.unlimited()) {
      return new JsonObject().put("allowed", true).put("tier", tier).put("unlimited", true).put("policies", new JsonArray());
    }
    if (d.deniedBy() == Decision.Denial.UNAVAILABLE) {
      long retryAfter = Math.max(1L, ceilDiv(d.retryAfterMicros(), 1_000_000L));
      return new JsonObject().put("allowed", false).put("tier", tier).put("unavailable", true)
        .put("retry_after", retryAfter)
        .put("message", "Rate limits cannot be counted right now. Retry after " + retryAfter + " seconds.");
    }
    JsonArray policies = new JsonArray();
    long windowRemaining = Long.MAX_VALUE;
    long windowResetAfter = 0L;
    if (limits.hasWindowLimit()) {
      long interval = limits.intervalMicros();
      long used = Math.max(0L, d.windowUsedMicros());
      windowRemaining = Math.max(0L, (limits.capacityMicros() - used) / interval);
      windowResetAfter = ceilDiv(used, 1_000_000L);
      policies.add(new JsonObject()
        .put("name", windowName).put("limit", limits.perWindow()).put("window_seconds", config.windowSeconds())
        .put("remaining", windowRemaining).put("reset_after", windowResetAfter));
    }

    boolean dayBinding = false;
    long dayRemaining = -1;
    long dayResetAfter = ceilDiv(UtcDays.nextMidnightMillis(now) - now, 1_000L);
    if (limits.hasDayLimit()) {
      JsonObject day = new JsonObject().put("name", "day").put("limit", limits.perDay()).put("window_seconds", 86_400)
        .put("reset_after", dayResetAfter);
      if (d.dayCount() >= 0) {
        dayRemaining = Math.max(0L, limits.perDay() - d.dayCount());
        day.put("remaining", dayRemaining);
      }
      policies.add(day);
      dayBinding = d.deniedBy() == Decision.Denial.DAY || !limits.hasWindowLimit()
        || (d.deniedBy() == Decision.Denial.NONE && dayRemaining >= 0 && dayRemaining < windowRemaining);
    }

    long limit = dayBinding ? limits.perDay() : limits.perWindow();
    long remaining = dayBinding ? Math.max(0L, dayRemaining) : windowRemaining;
    long resetAfter = dayBinding ? dayResetAfter : windowResetAfter;
    JsonObject out = new JsonObject()
      .put("allowed", d.allowed())
      .put("tier", tier)
      .put("limit", limit)
      .put("remaining", remaining)
      .put("reset_after", resetAfter)
      .put("reset", ceilDiv(now, 1_000L) + resetAfter)
      .put("window", dayBinding ? "day" : windowName)
      .put("policies", policies);
    if (!d.allowed()) {
      long retryAfter = dayBinding ? dayResetAfter : Math.max(1L, ceilDiv(d.retryAfterMicros(), 1_000_000L));
      out.put("denied_by", dayBinding ? "day" : windowName)
        .put("retry_after", retryAfter)
        .put("message", "Rate limit exceeded: " + limit + " requests per " + (dayBinding ? "day" : windowPhrase())
          + (PUBLIC_TIER.equals(tier) ? " from this address" : "") + ". Retry after " + retryAfter + " seconds.");
    }
    return out;
  }

  @Override
  public Future<JsonObject> stats() {
    JsonObject s = new JsonObject()
      .put("backend", limiter instanceof FailoverLimiter ? "redis" : "memory")
      .put("checks", checks.sum())
      .put("denied", denied.sum())
      .put("plan_lookup_errors", planErrors.sum())
      .put("memory_entries", memory.size())
      .put("tier_cache_entries", tierCache.size())
      .put("day_store_errors", memory.dayStoreErrors())
      .put("day_leases", memory.dayLeases());
    if (limiter instanceof FailoverLimiter f) {
      s.put("redis_up", f.redisUp())
        .put("redis_state", f.state().name().toLowerCase(java.util.Locale.ROOT))
        .put("redis_checks", f.redisChecks())
        .put("redis_errors", f.redisErrors())
        .put("redis_fallbacks", f.fallbacks())
        .put("fallback_checks", f.fallbackChecks())
        .put("redis_slow_checks", f.slowChecks())
        .put("redis_check_max_ms", f.maxCheckMicros() / 1_000.0)
        .put("reconciled_subjects", f.reconciled())
        .put("outage_entries", f.outageEntries());
    }
    return Future.succeededFuture(s);
  }

  /** {@code user:<id>} or {@code org:<id>}, as billing publishes them. */
  void forgetPlan(String subject) {
    if (subject == null) {
      return;
    }
    if (subject.startsWith("user:")) {
      tierCache.forgetUser(subject.substring(5));
    } else if (subject.startsWith("org:")) {
      tierCache.forgetOrg(subject.substring(4));
    }
  }

  private String windowPhrase() {
    return config.windowSeconds() == 1 || config.windowSeconds() == 60 || config.windowSeconds() == 3_600
      ? windowName : config.windowSeconds() + " seconds";
  }

  static String windowName(long seconds) {
    if (seconds == 1) {
      return "second";
    }
    if (seconds == 60) {
      return "minute";
    }
    return seconds == 3_600 ? "hour" : "window";
  }

  private static String text(JsonObject o, String field) {
    Object v = o == null ? null : o.getValue(field);
    return v instanceof String s && !s.isBlank() ? s : null;
  }

  private static boolean tooLong(String s) {
    return s != null && s.length() > MAX_ID_LENGTH;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
