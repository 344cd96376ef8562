package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.billing.BillingService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The caller's plan from {@link BillingService#getPlan} (in an org's context when the request
 * names one). Asked only on a tier-cache miss; a failure gives the default tier for a short while.
 */
public final class BillingPlanSource implements PlanSource {

  /** A cache miss waits at most this long for billing before the default tier applies. */
  static final long SEND_TIMEOUT_MS = 1_000;

  private final BillingService billing;

  public BillingPlanSource(Vertx vertx) {
    this.billing = BillingService.createProxyWaiting(vertx, SEND_TIMEOUT_MS);
  }

  @Override
  public Future<String> planId(String userId, String orgId) {
    return billing.getPlan(userId, orgId).map(plan -> plan.getString("plan_id"));
  }
}
