package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * The node's rate limiter for callers in this JVM, when it can answer on the caller's own event
 * loop: the in-process backend of a standalone node. Then a check is a lock, a map lookup and a
 * little arithmetic on the calling thread instead of a bus round trip and two thread hand-offs.
 *
 * <p>With Redis, or on a clustered node, nothing is registered and callers use the bus as before:
 * Redis checks and the failover state live on the rate-limit verticle's event loop. The service
 * stays on the bus either way (other verticles, the bridge and operators' tools use it there).
 */
public final class InProcessLimiter {

  private static final String MAP = "forge.ratelimit.in-process";
  private static final String KEY = "service";

  private record Held(RateLimitService service) implements Shareable {
  }

  private InProcessLimiter() {
  }

  /** Called by the rate-limit verticle once its service is ready. */
  static void register(Vertx vertx, RateLimitService service) {
    map(vertx).put(KEY, new Held(service));
  }

  /** Called by the rate-limit verticle before it stops. */
  static void unregister(Vertx vertx) {
    map(vertx).remove(KEY);
  }

  /** The in-process service when this node runs one that may be called from any event loop, else the bus proxy. */
  public static RateLimitService forThisNode(Vertx vertx, long sendTimeoutMs) {
    Held held = (Held) map(vertx).get(KEY);
    return held != null ? held.service() : RateLimitService.createProxyWaiting(vertx, sendTimeoutMs);
  }

  private static LocalMap<String, Shareable> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
