package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;

/** Every caller is on the configured default plan ({@code CHRYSALIS_DEFAULT_PLAN}, {@code free} unless set). */
public final class DefaultPlanSource implements PlanSource {

  private final Future<String> plan;

  public DefaultPlanSource(String defaultPlan) {
    this.plan = Future.succeededFuture(defaultPlan);
  }

  @Override
  public Future<String> planId(String userId, String orgId) {
    return plan;
  }
}
