package dev.chrysalis.forge.http;

import dev.chrysalis.forge.billing.BillingService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Handlers of the {@code billing} tag: parse, call BillingService, answer. */
final class BillingRoutes {

  private final BillingService billing;

  BillingRoutes(BillingService billing) {
    this.billing = billing;
  }

  void mount(Routes routes) {
    routes.open("listPlans", ctx -> Routes.respond(ctx, 200, billing.listPlans()));

    routes.authed("getBillingPlan", ctx -> Routes.respond(ctx, 200,
      billing.planStatus(Routes.userId(ctx), OrgContext.of(ctx), "true".equals(Routes.query(ctx, "refresh")))));

    routes.authed("getBillingUsage", ctx -> {
      JsonObject query = new JsonObject().put("org_id", OrgContext.of(ctx));
      String period = Routes.query(ctx, "period");
      if (period != null) {
        query.put("period", period);
      }
      Routes.respond(ctx, 200, billing.usage(Routes.userId(ctx), query));
    });

    routes.authed("createCheckout", ctx -> Routes.respond(ctx, 200,
      billing.checkout(Routes.userId(ctx), Routes.body(ctx).copy().put("email", email(ctx)))));

    routes.authed("openBillingPortal", ctx -> Routes.respond(ctx, 200,
      billing.portal(Routes.userId(ctx), Routes.body(ctx))));
  }

  static String email(RoutingContext ctx) {
    return ctx.user() == null ? null : ctx.user().principal().getString("email");
  }
}
