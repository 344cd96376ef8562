package dev.chrysalis.forge.http;

import dev.chrysalis.forge.auth.AuthService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Handlers of the {@code auth} and {@code api-keys} tags: parse, call AuthService, answer. */
final class AuthRoutes {

  private final AuthService auth;

  AuthRoutes(AuthService auth) {
    this.auth = auth;
  }

  void mount(Routes routes) {
    routes.open("registerUser", ctx -> Routes.respond(ctx, 201,
      auth.register(Routes.body(ctx).mergeIn(Routes.requestContext(ctx)))));

    routes.open("loginUser", ctx -> Routes.respond(ctx, 200,
      auth.login(Routes.body(ctx).mergeIn(Routes.requestContext(ctx)))));

    routes.open("verifyEmail", ctx -> Routes.respond(ctx, 200,
      auth.verifyEmail(Routes.body(ctx).mergeIn(Routes.requestContext(ctx)))));

    routes.authed("resendVerification", ctx -> Routes.respond(ctx, 202, auth.resendVerification(Routes.userId(ctx))));

    routes.open("forgotPassword", ctx -> Routes.respond(ctx, 202,
      auth.forgotPassword(Routes.body(ctx).mergeIn(Routes.requestContext(ctx)))));

    routes.open("resetPassword", ctx -> Routes.respond(ctx, 200,
      auth.resetPassword(Routes.body(ctx).mergeIn(Routes.requestContext(ctx)))));

    routes.authed("changePassword", ctx -> Routes.respond(ctx, 200, auth.changePassword(Routes.userId(ctx),
      Routes.body(ctx).mergeIn(Routes.requestContext(ctx)).put("caller_via", ctx.user().principal().getString("via")))));

    routes.authed("logoutUser", ctx -> Routes.respond(ctx, 200, auth.logout(Routes.userId(ctx), Routes.requestContext(ctx))));

    routes.authed("getCurrentUser", ctx -> Routes.respond(ctx, 200, auth.getUser(Routes.userId(ctx))));

    routes.authed("listApiKeys", ctx -> Routes.respond(ctx, 200, auth.listApiKeys(Routes.userId(ctx),
      new JsonObject().put("limit", Routes.query(ctx, "limit")).put("after", Routes.query(ctx, "after")))));

    routes.authed("createApiKey", ctx -> {
      // the caller's own scopes bound what the new key may get; set last, so a body cannot name them
      JsonObject request = Routes.body(ctx).mergeIn(Routes.requestContext(ctx))
        .put("caller_scopes", ctx.user().principal().getJsonArray("scopes", new JsonArray()).copy());
      Routes.respond(ctx, 201, auth.createApiKey(Routes.userId(ctx), request));
    });

    routes.authed("deleteApiKey", ctx -> Routes.respond(ctx, 200,
      auth.deleteApiKey(Routes.userId(ctx), Routes.pathParam(ctx, "id"), Routes.requestContext(ctx))));
  }
}
