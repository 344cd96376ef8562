package dev.chrysalis.forge.http;

import dev.chrysalis.forge.auth.SessionStates;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The first check on every authenticated operation: the credential's account is still allowed.
 * A session token issued before the account's last logout, password change or reset or status
 * change answers 401 {@code session_ended}; any credential of a suspended account answers 403
 * {@code account_suspended}. Answers come from this verticle's {@link SessionStates}, which every
 * change reaches over the bus, so a revocation on one node holds on all of them at once.
 */
final class SessionCheck implements Routes.Check {

  private final SessionStates states;

  SessionCheck(SessionStates states) {
    this.states = states;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject principal = ctx.user().principal();
    String userId = principal.getString("user_id");
    var verdict = "jwt".equals(principal.getString("via"))
      ? states.checkSession(userId, principal.getLong("session_version", 0L))
      : states.checkAccount(userId);
    verdict.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      switch (ar.result()) {
        case OK -> ctx.next();
        case SUSPENDED -> ApiError.send(ctx, 403, "account_suspended",
          "This account is suspended. Contact the operator of this service.", null);
        case SESSION_ENDED -> unauthorized(ctx, "session_ended",
          "This session has ended (signed out, password changed or account status changed). Sign in again.");
        case UNKNOWN_USER -> unauthorized(ctx, "invalid_credentials", "The account of this credential no longer exists.");
      }
    });
  }

  private static void unauthorized(RoutingContext ctx, String code, String message) {
    ctx.response().putHeader("www-authenticate", "Bearer realm=\"chrysalis-forge\"");
    ApiError.send(ctx, 401, code, message, null);
  }
}
