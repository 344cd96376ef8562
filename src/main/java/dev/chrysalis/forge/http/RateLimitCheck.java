package dev.chrysalis.forge.http;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.ratelimit.RateLimitService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the rate limiter once per request (per user on authenticated operations, per client IP
 * on public ones), sets the rate-limit headers, and answers 429 when the limit is reached. If
 * the limiter cannot answer, the request goes through: the limiter never causes a 5xx.
 */
final class RateLimitCheck {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitCheck.class);
  private static final long LOG_EVERY_MILLIS = 60_000;

  private final RateLimitService limiter;
  private volatile long lastFailureLog;

  RateLimitCheck(RateLimitService limiter) {
    this.limiter = limiter;
  }

  Routes.Check perUser() {
    return ctx -> {
      JsonObject request = new JsonObject().put("user_id", Routes.userId(ctx));
      // in an org's context the org's plan sets the tier (the limiter checks membership); the count stays the user's
      String orgId = OrgContext.of(ctx);
      if (orgId != null) {
        request.put("org_id", orgId);
      }
      ask(ctx, request);
    };
  }

  Routes.Check perClientIp() {
    return ctx -> ask(ctx, new JsonObject().put("ip", RequestLog.clientIp(ctx)));
  }

  private void ask(RoutingContext ctx, JsonObject request) {
    limiter.check(request).onComplete(ar -> {
      if (ar.failed()) {
        long now = System.currentTimeMillis();
        if (now - lastFailureLog >= LOG_EVERY_MILLIS) {
          lastFailureLog = now;
          LOG.warn("rate limiter did not answer, letting requests through: {}", ar.cause().getClass().getSimpleName());
        }
        ctx.next();
        return;
      }
      JsonObject d = ar.result();
      RateLimitHeaders.apply(ctx.response().headers(), d, ctx.request().path().startsWith("/v1/"));
      if (d.getBoolean("allowed", true)) {
        if (d.getBoolean("org_not_found", false)) {
          // counted like any request, then the one answer for an org the caller is not in
          ServiceException e = Errors.orgNotFound();
          ApiError.send(ctx, 404, e.getDebugInfo().getString("code"), e.getMessage(), "org_id");
          return;
        }
        ctx.next();
        return;
      }
      JsonObject body = ApiError.body(429, "rate_limit_exceeded", d.getString("message", "Rate limit exceeded"), null);
      body.getJsonObject("error").put("retry_after", d.getLong("retry_after", 1L));
      ApiError.send(ctx, 429, body);
    });
  }
}
