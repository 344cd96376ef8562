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
 * on public ones), sets the rate-limit headers, and answers 429 when the limit is reached. When
 * the limit cannot be counted (the limiter does not answer in time, or Redis is unreachable and
 * this node holds no share of the limit) the answer is 503 with Retry-After: never a request
 * let through uncounted.
 */
final class RateLimitCheck {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitCheck.class);
  private static final long LOG_EVERY_MILLIS = 60_000;
  private static final long UNANSWERED_RETRY_SECONDS = 1;

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
          LOG.warn("rate limiter did not answer, refusing with 503: {}", ar.cause().getClass().getSimpleName());
        }
        unavailable(ctx, UNANSWERED_RETRY_SECONDS, "Rate limits cannot be checked right now. Retry after "
          + UNANSWERED_RETRY_SECONDS + " second.");
        return;
      }
      JsonObject d = ar.result();
      if (d.getBoolean("unavailable", false)) {
        unavailable(ctx, d.getLong("retry_after", 1L), d.getString("message", "Rate limits cannot be counted right now."));
        return;
      }
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

  /** Never let a request through uncounted: that would make the limit looser than configured. */
  private static void unavailable(RoutingContext ctx, long retryAfter, String message) {
    ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
    ApiError.send(ctx, 503, "service_unavailable", message, null);
  }
}
