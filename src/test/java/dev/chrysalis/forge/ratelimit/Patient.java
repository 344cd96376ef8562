package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Vertx;

/**
 * A limiter proxy for tests that waits long: on a loaded 2-core test machine a first query can
 * take seconds, and tests assert outcomes, not timings.
 */
final class Patient {

  private Patient() {
  }

  static RateLimitService rateLimit(Vertx vertx) {
    return RateLimitService.createProxyWaiting(vertx, 30_000);
  }
}
