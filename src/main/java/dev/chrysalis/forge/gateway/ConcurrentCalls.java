package dev.chrysalis.forge.gateway;

import io.vertx.core.Vertx;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chat calls in progress per user on this node, shared by every HTTP verticle instance of one
 * Vertx: a call takes a slot before it goes upstream and gives it back when it is over, and a
 * user already holding its plan's number of slots is refused. A user's count disappears when it
 * drops to zero, so the map holds only users with calls in flight.
 */
public final class ConcurrentCalls {

  private static final Map<Vertx, ConcurrentCalls> PER_VERTX = new WeakHashMap<>();

  private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

  public static synchronized ConcurrentCalls of(Vertx vertx) {
    return PER_VERTX.computeIfAbsent(vertx, v -> new ConcurrentCalls());
  }

  /** Takes a slot unless the user already holds {@code cap} (0 = no cap); true when taken. */
  public boolean tryAcquire(String userId, int cap) {
    boolean[] taken = {false};
    inFlight.compute(userId, (k, n) -> {
      int now = n == null ? 0 : n;
      if (cap > 0 && now >= cap) {
        return n;
      }
      taken[0] = true;
      return now + 1;
    });
    return taken[0];
  }

  public void release(String userId) {
    inFlight.computeIfPresent(userId, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Slots the user holds now. */
  public int held(String userId) {
    return inFlight.getOrDefault(userId, 0);
  }
}
