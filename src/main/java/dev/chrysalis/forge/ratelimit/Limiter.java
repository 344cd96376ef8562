package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;

/** A rate-limit backend. {@code subject} is {@code u:<user id>} or {@code ip:<address>}. */
interface Limiter {

  /** Counts one request when the limits allow it. */
  Future<Decision> check(String subject, Limits limits, long nowMillis);

  /**
   * Whether a request would be allowed now, counting nothing: {@code windowUsedMicros} and
   * {@code dayCount} are the subject's current state, a refusal carries its retry time as
   * {@link #check} would.
   */
  Future<Decision> peek(String subject, Limits limits, long nowMillis);

  Future<Void> close();
}
