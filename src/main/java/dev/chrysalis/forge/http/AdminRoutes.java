package dev.chrysalis.forge.http;

import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.billing.BillingService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Handlers of the {@code admin} tag. Whether the caller is an operator is decided by the
 * service (AuthService.requireOperator: a verified email listed in CHRYSALIS_ADMIN_EMAILS), not here.
 */
final class AdminRoutes {

  private final BillingService billing;
  private final AuthService auth;

  AdminRoutes(BillingService billing, AuthService auth) {
    this.billing = billing;
    this.auth = auth;
  }

  void mount(Routes routes) {
    routes.authed("setUserPlan", ctx -> Routes.respond(ctx, 200, billing.assignPlan(assignment(ctx, "user"))));
    routes.authed("setOrgPlan", ctx -> Routes.respond(ctx, 200, billing.assignPlan(assignment(ctx, "org"))));
    routes.authed("setUserStatus", ctx -> Routes.respond(ctx, 200, auth.setUserStatus(Routes.userId(ctx),
      Routes.pathParam(ctx, "id"), new JsonObject().put("status", Routes.body(ctx).getString("status"))
        .put("context", Routes.requestContext(ctx)))));
    routes.authed("getBillingStatus", ctx -> Routes.respond(ctx, 200, billing.status(Routes.userId(ctx))));
    routes.authed("listParkedOutbox", ctx -> Routes.respond(ctx, 200,
      billing.parkedOutbox(Routes.userId(ctx), page(ctx))));
    routes.authed("replayParkedOutbox", ctx -> Routes.respond(ctx, 200, billing.replayOutbox(Routes.body(ctx).copy()
      .put("actor_id", Routes.userId(ctx))
      .put("context", Routes.requestContext(ctx)))));
  }

  private static JsonObject page(RoutingContext ctx) {
    JsonObject q = new JsonObject();
    String limit = Routes.query(ctx, "limit");
    if (limit != null) {
      q.put("limit", Integer.valueOf(limit));
    }
    return q.put("after", Routes.query(ctx, "after"));
  }

  private static JsonObject assignment(RoutingContext ctx, String subjectType) {
    return new JsonObject()
      .put("actor_id", Routes.userId(ctx))
      .put("subject_type", subjectType)
      .put("subject_id", Routes.pathParam(ctx, "id"))
      .put("plan_id", Routes.body(ctx).getString("plan_id"))
      .put("context", Routes.requestContext(ctx));
  }
}
