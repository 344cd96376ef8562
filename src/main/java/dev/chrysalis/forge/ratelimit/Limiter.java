package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;

/** A rate-limit backend. {@code subject} is {@code u:<user id>} or {@code ip:<address>}. */
interface Limiter {

  Future<Decision> check(String subject, Limits limits, long nowMillis);

  Future<Void> close();
}
