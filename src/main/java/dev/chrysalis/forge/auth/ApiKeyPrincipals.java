package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import dev.chrysalis.forge.errors.Errors;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP verticle's near cache of verified API keys: a warm request with a known key costs a
 * SHA-256 and a map lookup here instead of a bus round trip to AuthService. Per verticle instance,
 * used from its event loop only; keyed by a digest of the key, so no key is kept in the map.
 *
 * <p>Coherent through the events AuthService publishes cluster-wide: a deleted key
 * ({@value AuthServiceImpl#KEY_REVOKED_ADDRESS}) and every change that ends a user's sessions
 * ({@value SessionStates#REVOKED_ADDRESS}: logout, password change, suspension) drop their entries
 * at once; a lookup in flight while anything was dropped is not kept, since it may have read the
 * key before the change. An expired key is refused here at its expiry. Every entry is asked again
 * after {@link #MAX_AGE_MS} (the bound on staleness should a node miss an event), which also lets
 * AuthService record the key's last use about once a minute. Failures are never cached here
 * (AuthService remembers unknown keys itself).
 */
public final class ApiKeyPrincipals {

  /** The longest an entry answers without asking AuthService again. */
  public static final long MAX_AGE_MS = 60_000;

  private record Entry(JsonObject principal, String keyId, String userId, long expiresAtMs, long loadedAtMs) {
  }

  private final AuthService auth;
  private final LinkedHashMap<String, Entry> byDigest;
  private final MessageConsumer<String> revoked;
  private final MessageConsumer<JsonObject> sessionsEnded;
  private long generation;

  public ApiKeyPrincipals(Vertx vertx, AuthService auth, int maxEntries) {
    this.auth = auth;
    this.byDigest = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > maxEntries;
      }
    };
    this.revoked = vertx.eventBus().consumer(AuthServiceImpl.KEY_REVOKED_ADDRESS, msg -> forget(e -> e.keyId().equals(msg.body())));
    this.sessionsEnded = vertx.eventBus().consumer(SessionStates.REVOKED_ADDRESS, msg -> {
      String userId = msg.body() == null ? null : msg.body().getString("user_id");
      forget(e -> e.userId().equals(userId));
    });
  }

  /** Completes once both event consumers are registered (cluster-wide on a clustered bus). */
  public Future<Void> ready() {
    return Future.all(revoked.completion(), sessionsEnded.completion()).mapEmpty();
  }

  public Future<Void> close() {
    return Future.all(revoked.unregister(), sessionsEnded.unregister()).mapEmpty();
  }

  /** As {@link AuthService#authenticateApiKey}: the principal, or its 401 refusal. */
  public Future<JsonObject> authenticate(String apiKey) {
    String digest = digest(apiKey);
    long now = System.currentTimeMillis();
    Entry e = byDigest.get(digest);
    if (e != null && now - e.loadedAtMs() <= MAX_AGE_MS) {
      if (e.expiresAtMs() > 0 && now >= e.expiresAtMs()) {
        byDigest.remove(digest);
        return Errors.unauthorized("api_key_expired", "This API key has expired.");
      }
      return Future.succeededFuture(e.principal().copy());
    }
    long asked = generation;
    return auth.authenticateApiKey(apiKey).map(principal -> {
      if (asked == generation) {
        String expires = principal.getString("expires_at");
        byDigest.put(digest, new Entry(principal.copy(), principal.getString("key_id"), principal.getString("user_id"),
          expires == null ? 0L : Instant.parse(expires).toEpochMilli(), System.currentTimeMillis()));
      }
      return principal;
    });
  }

  int size() {
    return byDigest.size();
  }

  private void forget(java.util.function.Predicate<Entry> which) {
    generation++;
    byDigest.values().removeIf(which);
  }

  private static String digest(String apiKey) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
