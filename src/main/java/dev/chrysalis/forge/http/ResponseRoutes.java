package dev.chrysalis.forge.http;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.gateway.ChatGateway;
import dev.chrysalis.forge.responses.ResponsesApi;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

/** Handlers of the Responses API operations; the work lives in the responses package. */
final class ResponseRoutes {

  private final ResponsesApi api;

  ResponseRoutes(ResponsesApi api) {
    this.api = api;
  }

  void mount(Routes routes) {
    routes.authed("createResponse", ctx -> {
      JsonObject body = Routes.body(ctx);
      String org;
      try {
        org = OrgContext.withBody(ctx, body);
      } catch (ServiceException e) {
        GatewayRoutes.answerFailure(ctx, e);
        return;
      }
      ChatGateway.Caller caller = GatewayRoutes.caller(ctx, org);
      api.create(body, caller, ctx.response()).onFailure(t -> GatewayRoutes.answerFailure(ctx,
        t instanceof ServiceException e ? e : Errors.error(500, "internal_error",
          "The server could not complete the request.", null)));
    });

    routes.authed("getResponse", ctx -> Routes.respond(ctx, 200, api.service().get(owned(ctx))));

    routes.authed("deleteResponse", ctx -> Routes.respond(ctx, 200, api.service().delete(owned(ctx))));

    routes.authed("listResponseInputItems", ctx -> {
      String limit = Routes.query(ctx, "limit");
      JsonObject request = owned(ctx)
        .put("limit", limit == null ? 20 : Integer.parseInt(limit))
        .put("order", Routes.query(ctx, "order"))
        .put("after", Routes.query(ctx, "after"));
      Routes.respond(ctx, 200, api.service().inputItems(request));
    });
  }

  private static JsonObject owned(io.vertx.ext.web.RoutingContext ctx) {
    return new JsonObject().put("user_id", Routes.userId(ctx)).put("id", Routes.pathParam(ctx, "response_id"));
  }
}
