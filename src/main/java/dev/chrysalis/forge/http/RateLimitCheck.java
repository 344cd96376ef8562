package dev.chrysalis.forge.http;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.ratelimit.RateLimitService;
import io.vertx.core.Future;
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
 *
 * <p>Requests refused before their rate limit (failed authentication, a header or query value
 * that cannot be stored) count against the client address's allowance of public operations
 * ({@link #countRefusal}); once it is used up they are answered 429 instead, and an API key the
 * HTTP verticle does not already know is not looked up at all ({@link #beforeKeyLookup}). A valid
 * credential is never counted there: only failures are.
 */
final class RateLimitCheck {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitCheck.class);
  private static final long LOG_EVERY_MILLIS = 60_000;
  private static final long UNANSWERED_RETRY_SECONDS = 1;
  private static final String LOOKUP_ALLOWED = "forge.ratelimit.lookup_allowed";

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

  /**
   * Before an API key this verticle's near cache does not know is looked up: completes when the
   * client address has allowance left, and fails with {@link Refused} (429, or 503 when the limit
   * cannot be checked) otherwise, so an address that used its allowance up on failures costs no
   * lookup. Counts nothing; asked at most once per request (several credentials share the answer).
   */
  Future<Void> beforeKeyLookup(RoutingContext ctx) {
    Future<Void> asked = ctx.get(LOOKUP_ALLOWED);
    if (asked == null) {
      JsonObject peek = new JsonObject().put("ip", RequestLog.clientIp(ctx)).put("peek", true);
      asked = limiter.check(peek).<Void>transform(ar -> {
        if (ar.failed()) {
          logUnanswered(ar.cause());
          return Future.failedFuture(new Refused(503, unanswered()));
        }
        JsonObject d = ar.result();
        if (d.getBoolean("unavailable", false)) {
          return Future.failedFuture(new Refused(503, d));
        }
        if (!d.getBoolean("allowed", true)) {
          return Future.failedFuture(new Refused(429, d));
        }
        return Future.succeededFuture();
      });
      ctx.put(LOOKUP_ALLOWED, asked);
    }
    return asked;
  }

  /**
   * Counts a request refused before its rate limit against its client address, then answers it
   * with {@code refuse} (with the address's rate-limit headers), or 429 once the address's
   * allowance is used up. When the limit cannot be counted the refusal is answered as it is:
   * nothing is let through either way.
   */
  void countRefusal(RoutingContext ctx, Runnable refuse) {
    limiter.check(new JsonObject().put("ip", RequestLog.clientIp(ctx))).onComplete(ar -> {
      if (ar.failed()) {
        logUnanswered(ar.cause());
      } else if (!ar.result().getBoolean("unavailable", false)) {
        JsonObject d = ar.result();
        RateLimitHeaders.apply(ctx.response().headers(), d, openAiRoute(ctx));
        if (!d.getBoolean("allowed", true)) {
          limited(ctx, d);
          return;
        }
      }
      refuse.run();
    });
  }

  /** Why a key was not looked up: the address's allowance is used up (429) or cannot be checked (503). */
  static final class Refused extends RuntimeException {
    private final int status;
    private final transient JsonObject decision;

    Refused(int status, JsonObject decision) {
      super("refused by the per-address limit", null, false, false);
      this.status = status;
      this.decision = decision;
    }

    int status() {
      return status;
    }

    /** Answers the request as {@link #perClientIp} would have. */
    void send(RoutingContext ctx) {
      if (status == 503) {
        unavailable(ctx, decision.getLong("retry_after", UNANSWERED_RETRY_SECONDS),
          decision.getString("message", "Rate limits cannot be counted right now."));
        return;
      }
      RateLimitHeaders.apply(ctx.response().headers(), decision, openAiRoute(ctx));
      limited(ctx, decision);
    }
  }

  private void ask(RoutingContext ctx, JsonObject request) {
    limiter.check(request).onComplete(ar -> {
      if (ar.failed()) {
        logUnanswered(ar.cause());
        JsonObject d = unanswered();
        unavailable(ctx, d.getLong("retry_after"), d.getString("message"));
        return;
      }
      JsonObject d = ar.result();
      if (d.getBoolean("unavailable", false)) {
        unavailable(ctx, d.getLong("retry_after", 1L), d.getString("message", "Rate limits cannot be counted right now."));
        return;
      }
      RateLimitHeaders.apply(ctx.response().headers(), d, openAiRoute(ctx));
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
      limited(ctx, d);
    });
  }

  private static void limited(RoutingContext ctx, JsonObject d) {
    JsonObject body = ApiError.body(429, "rate_limit_exceeded", d.getString("message", "Rate limit exceeded"), null);
    body.getJsonObject("error").put("retry_after", d.getLong("retry_after", 1L));
    ApiError.send(ctx, 429, body);
  }

  private static boolean openAiRoute(RoutingContext ctx) {
    return ctx.request().path().startsWith("/v1/");
  }

  private static JsonObject unanswered() {
    return new JsonObject().put("unavailable", true).put("retry_after", UNANSWERED_RETRY_SECONDS)
      .put("message", "Rate limits cannot be checked right now. Retry after " + UNANSWERED_RETRY_SECONDS + " second.");
  }

  private void logUnanswered(Throwable cause) {
    long now = System.currentTimeMillis();
    if (now - lastFailureLog >= LOG_EVERY_MILLIS) {
      lastFailureLog = now;
      LOG.warn("rate limiter did not answer: {}", cause.getClass().getSimpleName());
    }
  }

  /** Never let a request through uncounted: that would make the limit looser than configured. */
  private static void unavailable(RoutingContext ctx, long retryAfter, String message) {
    ctx.response().putHeader("Retry-After", Long.toString(retryAfter));
    ApiError.send(ctx, 503, "service_unavailable", message, null);
  }
}
