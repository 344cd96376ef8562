package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.vault.VaultService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The HTTP verticle's near cache of the vault's answer "this user has no key of their own for this
 * provider: use the service key". Only that answer is kept (the operator's key, which this node's
 * configuration holds anyway); a user's or an organization's own key is resolved by the vault on
 * every call, so a decrypted BYOK key never outlives its request. Calls in an organization's
 * context always ask the vault (it checks membership and the org's keys).
 *
 * <p>Coherent through {@value VaultService#INVALIDATE_ADDRESS}, which the vault publishes
 * cluster-wide when a key is added, replaced, deleted or found unusable (and with {@code all}
 * after a rewrap): the owner's entries go at once, and an answer in flight while anything was
 * dropped is not kept. Every entry is asked again after {@link #MAX_AGE_MS}. Per verticle
 * instance, used from its event loop only.
 */
final class ServiceKeyResolutions {

  /** The longest a resolution is reused without asking the vault again. */
  static final long MAX_AGE_MS = 60_000;
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(JsonObject resolved, long loadedAtMs) {
  }

  private final LinkedHashMap<String, Entry> byUserAndProvider = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };
  private final MessageConsumer<JsonObject> invalidations;
  private long generation;

  ServiceKeyResolutions(Vertx vertx) {
    this.invalidations = vertx.eventBus().consumer(VaultService.INVALIDATE_ADDRESS, msg -> {
      JsonObject m = msg.body();
      generation++;
      if (m == null || m.getBoolean("all", false)) {
        byUserAndProvider.clear();
      } else if ("user".equals(m.getString("owner_kind"))) {
        byUserAndProvider.remove(key(m.getString("owner_id"), m.getString("provider")));
      }
    });
  }

  /** The vault's resolution for {@code userId} and {@code provider} ({@code orgId} null: personal context). */
  Future<JsonObject> resolve(String userId, String orgId, String provider, Supplier<Future<JsonObject>> vault) {
    if (orgId != null) {
      return vault.get();
    }
    String key = key(userId, provider);
    Entry e = byUserAndProvider.get(key);
    if (e != null && System.currentTimeMillis() - e.loadedAtMs() <= MAX_AGE_MS) {
      return Future.succeededFuture(e.resolved());
    }
    long asked = generation;
    return vault.get().map(resolved -> {
      if (asked == generation && !resolved.getBoolean("is_byok", false) && resolved.getValue("provider_key_id") == null) {
        byUserAndProvider.put(key, new Entry(resolved.copy(), System.currentTimeMillis()));
      }
      return resolved;
    });
  }

  /** Completes once the event consumer is registered (cluster-wide on a clustered bus). */
  Future<Void> ready() {
    return invalidations.completion();
  }

  Future<Void> close() {
    return invalidations.unregister();
  }

  private static String key(String userId, String provider) {
    return userId + "|" + provider;
  }
}
