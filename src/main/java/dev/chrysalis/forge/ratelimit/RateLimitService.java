package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.cluster.LocalServices;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Rate limits on the event bus ({@value #ADDRESS}); the HTTP layer asks once per request.
 * A refusal is a normal reply with {@code allowed:false} (the caller needs the numbers for its
 * headers), not a failure. See docs/event-bus.md for every field.
 */
@ProxyGen
@VertxGen
public interface RateLimitService {

  String ADDRESS = "forge.ratelimit";

  /**
   * Billing publishes {@code "user:<id>"} or {@code "org:<id>"} here when it assigns a plan; every
   * node's limiter forgets the tiers it cached for that user or org.
   */
  String PLAN_CHANGED_ADDRESS = dev.chrysalis.forge.billing.BillingService.PLAN_CHANGED_ADDRESS;

  /**
   * A node publishes its cluster node id here when it finds Redis unreachable; every other node
   * then counts with its own share of each limit too, until its own probe finds Redis again.
   */
  String REDIS_DOWN_ADDRESS = "forge.ratelimit.redis-down";

  /** Default wait of the HTTP layer; the limiter answers in well under this even when Redis is down. */
  long SEND_TIMEOUT_MS = 2_000;

  static RateLimitService createProxy(Vertx vertx) {
    return createProxyWaiting(vertx, SEND_TIMEOUT_MS);
  }

  /** Registered with registerLocal on every node: local delivery when this node runs it (see {@code cluster/LocalServices}). */
  static RateLimitService createProxyWaiting(Vertx vertx, long sendTimeoutMs) {
    return new RateLimitServiceVertxEBProxy(vertx, ADDRESS, LocalServices.options(vertx, ADDRESS, sendTimeoutMs));
  }

  /**
   * Counts one request. {@code {user_id, org_id?}} checks the user's tier limits,
   * {@code {ip}} the per-client-IP limit of public operations. → {@code {allowed, tier, limit,
   * remaining, reset, reset_after, window, policies:[…], denied_by?, retry_after?, message?,
   * org_not_found?}}; {@code org_not_found} when the user is not a member of {@code org_id};
   * 400 {@code invalid_request} when neither is given.
   */
  Future<JsonObject> check(JsonObject request);

  /** Counters for operations and metrics: backend, Redis state, fallbacks, checks, refusals. */
  Future<JsonObject> stats();
}
