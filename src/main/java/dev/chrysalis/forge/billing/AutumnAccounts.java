package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * What Autumn says about a customer (a user or an org, customer id = its id): the active plan and
 * whether the message balance allows one more. A customer Autumn does not know (yet) has no
 * subscription, so the default plan. Both are cached briefly. When Autumn does not
 * answer, the last known plan (or null) and "unknown" are returned and the fallback is metered:
 * callers then rely on the local ledger, which still bounds usage by the plan's daily limit.
 */
final class AutumnAccounts {

  /** The plan Autumn reports (null = no subscription), and whether Autumn answered just now. */
  record PlanAnswer(String planId, String source) {
  }

  private static final Set<String> ACTIVE = Set.of("active", "trialing", "past_due");
  private static final int CACHE_SIZE = 50_000;

  private final AutumnClient client;
  private final BillingConfig config;
  private final BillingMetrics metrics;
  private final ExpiringCache<String> plans;
  private final ExpiringCache<Boolean> checks;

  AutumnAccounts(AutumnClient client, BillingConfig config, BillingMetrics metrics) {
    this.client = client;
    this.config = config;
    this.metrics = metrics;
    this.plans = new ExpiringCache<>(config.autumn().planCacheMs(), CACHE_SIZE);
    this.checks = new ExpiringCache<>(config.autumn().checkCacheMs(), CACHE_SIZE);
  }

  Future<PlanAnswer> plan(Subject s, boolean refresh) {
    String key = key(s);
    String cached = refresh ? null : plans.fresh(key);
    if (cached != null) {
      return Future.succeededFuture(new PlanAnswer(cached.isEmpty() ? null : cached, "autumn"));
    }
    return client.getCustomer(s.id())
      .recover(t -> t instanceof AutumnException ae && "customer_not_found".equals(ae.code())
        ? Future.succeededFuture(new JsonObject())
        : Future.failedFuture(t))
      .map(customer -> {
        String planId = activePlan(customer);
        plans.put(key, planId == null ? "" : planId);
        return new PlanAnswer(planId, "autumn");
      })
      .recover(t -> {
        if (!(t instanceof AutumnException ae)) {
          return Future.failedFuture(t);
        }
        metrics.fallback(metrics.planFallbacks, "customers.get", ae);
        String stale = plans.any(key);
        return Future.succeededFuture(new PlanAnswer(stale == null || stale.isEmpty() ? null : stale, "fallback"));
      });
  }

  /** TRUE / FALSE from balances.check, or null when Autumn did not answer (use the local view). */
  Future<Boolean> allowsMessage(Subject s) {
    String key = key(s);
    Boolean cached = checks.fresh(key);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return client.checkBalance(s.id(), config.autumn().messageFeatureId())
      .map(res -> {
        boolean allowed = res.getBoolean("allowed", true);
        checks.put(key, allowed);
        return (Boolean) allowed;
      })
      .recover(t -> {
        if (t instanceof AutumnException ae) {
          metrics.fallback(metrics.checkFallbacks, "balances.check", ae);
          return Future.succeededFuture(null);
        }
        return Future.failedFuture(t);
      });
  }

  /** After a checkout or a return from one: the next question goes to Autumn again. */
  void forget(Subject s) {
    plans.remove(key(s));
    checks.remove(key(s));
  }

  /** The first active subscription whose plan this service knows; null when there is none. */
  private String activePlan(JsonObject customer) {
    JsonArray subs = customer.getJsonArray("subscriptions", new JsonArray());
    for (int i = 0; i < subs.size(); i++) {
      JsonObject sub = subs.getJsonObject(i);
      String planId = sub.getString("plan_id");
      if (planId != null && ACTIVE.contains(sub.getString("status", "active")) && config.plan(planId) != null) {
        return planId;
      }
    }
    return null;
  }

  private static String key(Subject s) {
    return s.type() + ":" + s.id();
  }
}
