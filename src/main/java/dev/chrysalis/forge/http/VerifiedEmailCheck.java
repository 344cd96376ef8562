package dev.chrysalis.forge.http;

import dev.chrysalis.forge.auth.AuthService;
import io.vertx.ext.web.RoutingContext;

/**
 * With CHRYSALIS_REQUIRE_VERIFIED_EMAIL=true: an account whose email is not verified gets 403
 * {@code email_not_verified} on every operation the contract does not mark
 * {@code x-forge-unverified: allowed}. The account is read from AuthService (one hop) because a
 * session token issued before verification does not say so.
 */
final class VerifiedEmailCheck implements Routes.Check {

  private final AuthService auth;

  VerifiedEmailCheck(AuthService auth) {
    this.auth = auth;
  }

  @Override
  public void handle(RoutingContext ctx) {
    auth.getUser(Routes.userId(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (!ar.result().getBoolean("email_verified", false)) {
        ApiError.send(ctx, 403, "email_not_verified",
          "Verify your email address first: follow the link we mailed you, or POST /auth/verify/resend for a new one.", null);
      } else {
        ctx.next();
      }
    });
  }
}
