package dev.chrysalis.forge.limits;

import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.serviceproxy.ServiceException;

/**
 * The per-plan cap on stored objects of one kind for a user: the plan is the one billing answers
 * for the user in the org the object is created in (the user's own plan without an org). The
 * count and the insert happen in the store of the package owning the table, under a lock per
 * (kind, user), so concurrent creations cannot overshoot.
 */
public final class ObjectCaps {

  private final BillingService billing;
  private final PlanLimits limits;

  public ObjectCaps(BillingService billing, PlanLimits limits) {
    this.billing = billing;
    this.limits = limits;
  }

  /** The cap of this kind for the user creating in {@code orgId} (null = personal); 0 = unlimited. */
  public Future<Integer> cap(String userId, String orgId, PlanLimits.Kind kind) {
    return billing.getPlan(userId, orgId).map(plan -> limits.cap(plan.getString("plan_id"), kind));
  }

  /** The refusal when a cap is reached: 409 {@code <kind>_limit} in our error shape. */
  public static ServiceException reached(PlanLimits.Kind kind, int cap) {
    return Errors.error(409, kind.code(), "You have reached the limit of " + cap + " " + kind.noun()
      + " on your plan. Delete some or upgrade the plan.", null);
  }

  /** Lock key of the (kind, user) pair for {@code pg_advisory_xact_lock(int, int)}: the kind, and the user. */
  public static String lockName(PlanLimits.Kind kind) {
    return "forge.cap." + kind.key();
  }
}
