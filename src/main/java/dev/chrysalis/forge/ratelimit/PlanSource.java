package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;

/**
 * Where a caller's plan comes from (the billing service, once it is wired in). The limiter only
 * needs the plan id; it caches the answer per user for {@code ratelimit.plan_cache_seconds} and
 * drops it when {@value RateLimitService#PLAN_CHANGED_ADDRESS} is published.
 */
@FunctionalInterface
public interface PlanSource {

  /** The plan id ({@code free}, {@code pro}, {@code team}, {@code enterprise}, …) of a user, in an org or not. */
  Future<String> planId(String userId, String orgId);
}
