package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Per user: the session version and whether the account is active, as a per-verticle cache. A
 * session token is good while its {@code sv} claim is at least the account's session version and
 * the account is active. Logout, password change or reset, suspension and reactivation raise the
 * version in the database and then publish the new state on {@value #REVOKED_ADDRESS}; every
 * node's caches take it at once. Versions only grow, so a cache keeps the highest it has seen: a
 * database read that raced a change cannot bring an older state back. Entries are reloaded after
 * {@link #MAX_AGE_MS} in case a node missed an event. Used from one event loop only.
 *
 * <p>A counter rather than a "valid after" instant compared with the token's {@code iat}:
 * {@code iat} has whole seconds, so a sign-in in the same second as a logout would be refused,
 * and nodes' clocks differ.
 */
public final class SessionStates {

  /** Published (cluster-wide) after a change: {user_id, session_version, status}. */
  public static final String REVOKED_ADDRESS = "forge.events.user.sessions_revoked";
  static final long MAX_AGE_MS = 60_000;

  /** What a check found; {@code ok()} when the credential may be used. */
  public enum Verdict { OK, SESSION_ENDED, SUSPENDED, UNKNOWN_USER }

  private record State(long version, boolean active, boolean exists, long loadedAtMs) {
  }

  private final LinkedHashMap<String, State> byUser;
  private final Function<String, Future<JsonObject>> loader;
  private final MessageConsumer<JsonObject> consumer;
  private Listener listener;

  /**
   * @param loader reads {user_id, session_version, status} of a user, or fails with a 404
   *               {@code ServiceException} when there is none
   */
  public SessionStates(Vertx vertx, int maxEntries, Function<String, Future<JsonObject>> loader) {
    this.loader = loader;
    this.byUser = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
        return size() > maxEntries;
      }
    };
    this.consumer = vertx.eventBus().consumer(REVOKED_ADDRESS, msg -> {
      State state = apply(msg.body());
      String userId = msg.body().getString("user_id");
      if (listener != null && userId != null) {
        listener.changed(userId, state.active(), state.version());
      }
    });
  }

  /** Told each published change as this cache holds it after merging (so never an older one). */
  @FunctionalInterface
  public interface Listener {
    void changed(String userId, boolean active, long sessionVersion);
  }

  /** Sets the one listener of published changes (the gateway ends the calls a change no longer allows). */
  public SessionStates onChange(Listener listener) {
    this.listener = listener;
    return this;
  }

  public Future<Void> ready() {
    return consumer.completion();
  }

  public Future<Void> close() {
    return consumer.unregister();
  }

  /** Judges a session token issued under {@code tokenVersion}. */
  public Future<Verdict> checkSession(String userId, long tokenVersion) {
    return state(userId).map(s -> !s.exists() ? Verdict.UNKNOWN_USER
      : !s.active() ? Verdict.SUSPENDED
      : tokenVersion < s.version() ? Verdict.SESSION_ENDED
      : Verdict.OK);
  }

  /** Judges an API key's owner: keys outlive logouts, not suspension. */
  public Future<Verdict> checkAccount(String userId) {
    return state(userId).map(s -> !s.exists() ? Verdict.UNKNOWN_USER : s.active() ? Verdict.OK : Verdict.SUSPENDED);
  }

  private Future<State> state(String userId) {
    long now = System.currentTimeMillis();
    State cached = byUser.get(userId);
    if (cached != null && now - cached.loadedAtMs() <= MAX_AGE_MS) {
      return Future.succeededFuture(cached);
    }
    return loader.apply(userId).map(this::apply).recover(t -> {
      if (t instanceof ServiceException se && se.failureCode() == 404) {
        State gone = new State(Long.MAX_VALUE, false, false, System.currentTimeMillis());
        byUser.put(userId, gone);
        return Future.succeededFuture(gone);
      }
      return Future.failedFuture(t);
    });
  }

  /** Merges a state read or published; the higher version wins, the same version refreshes the entry. */
  private State apply(JsonObject json) {
    String userId = json.getString("user_id");
    State incoming = new State(json.getLong("session_version", 0L), "active".equals(json.getString("status")), true,
      System.currentTimeMillis());
    State current = byUser.get(userId);
    if (current != null && current.version() > incoming.version()) {
      return current;
    }
    if (userId != null) {
      byUser.put(userId, incoming);
    }
    return incoming;
  }
}
