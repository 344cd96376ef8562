package dev.chrysalis.forge.ratelimit;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code ratelimit} section of the config. Limits are checked here, so a typo fails at start. */
public record RateLimitConfig(
  String redisUrl,
  long redisTimeoutMs,
  long redisRetryMs,
  String keyPrefix,
  String defaultPlan,
  long planCacheSeconds,
  int maxEntries,
  long windowSeconds,
  long publicPerWindow,
  long dayQueryTimeoutMs,
  long dayLeaseMax,
  long checkTimeoutMs,
  Map<String, Tier> tiers) {

  /** One plan's limits: requests per short window and per UTC day, each 0 = unlimited. */
  public record Tier(long perWindow, long perDay) {
  }

  /** Above this, whole-microsecond emission intervals could let one extra request into a burst. */
  static final long MAX_PER_WINDOW_FACTOR = 1_000;

  public static RateLimitConfig from(JsonObject config) {
    JsonObject r = config.getJsonObject("ratelimit", new JsonObject());
    long window = r.getLong("window_seconds", 60L);
    if (window < 1 || window > 86_400) {
      throw new IllegalArgumentException("ratelimit.window_seconds must be between 1 and 86400");
    }
    Map<String, Tier> tiers = new LinkedHashMap<>();
    JsonObject t = r.getJsonObject("tiers", new JsonObject());
    for (String name : t.fieldNames()) {
      JsonObject tier = t.getJsonObject(name);
      tiers.put(name, new Tier(
        checkedLimit("ratelimit.tiers." + name + ".per_minute", tier.getLong("per_minute", 0L), window),
        checkedLimit("ratelimit.tiers." + name + ".per_day", tier.getLong("per_day", 0L), 86_400)));
    }
    // one default plan for the whole service: billing's (CHRYSALIS_DEFAULT_PLAN) when it names a tier
    String billingDefault = config.getJsonObject("billing", new JsonObject()).getString("default_plan");
    String defaultPlan = billingDefault != null && tiers.containsKey(billingDefault)
      ? billingDefault : r.getString("default_plan", "free");
    if (!tiers.containsKey(defaultPlan)) {
      throw new IllegalArgumentException("ratelimit.default_plan '" + defaultPlan + "' is not one of ratelimit.tiers "
        + tiers.keySet());
    }
    long timeout = r.getLong("redis_timeout_ms", 250L);
    if (timeout < 1) {
      throw new IllegalArgumentException("ratelimit.redis_timeout_ms must be positive");
    }
    return new RateLimitConfig(
      r.getString("redis_url", "").trim(),
      timeout,
      Math.max(50L, r.getLong("redis_retry_ms", 1000L)),
      r.getString("key_prefix", "forge:rl"),
      defaultPlan,
      Math.max(0L, r.getLong("plan_cache_seconds", 60L)),
      (int) Math.max(1_000L, r.getLong("max_entries", 200_000L)),
      window,
      checkedLimit("ratelimit.public_per_minute", r.getLong("public_per_minute", 20L), window),
      Math.max(1L, r.getLong("day_query_timeout_ms", 500L)),
      Math.max(0L, r.getLong("day_lease_max", 1000L)),
      Math.max(1L, r.getLong("check_timeout_ms", RateLimitService.SEND_TIMEOUT_MS)),
      Map.copyOf(tiers));
  }

  /** A limit of requests per period: 0 = unlimited. */
  private static long checkedLimit(String name, long value, long periodSeconds) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be 0 (unlimited) or more");
    }
    if (value > periodSeconds * MAX_PER_WINDOW_FACTOR) {
      throw new IllegalArgumentException(name + " may be at most " + periodSeconds * MAX_PER_WINDOW_FACTOR
        + " (0 = unlimited)");
    }
    return value;
  }

  public boolean redisEnabled() {
    return !redisUrl.isEmpty();
  }

  /** The tier of a plan id; unknown plans get the default plan's limits. */
  public Tier tier(String planId) {
    Tier t = planId == null ? null : tiers.get(planId);
    return t != null ? t : tiers.get(defaultPlan);
  }

  public long windowMicros() {
    return windowSeconds * 1_000_000L;
  }
}
