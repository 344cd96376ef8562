package dev.chrysalis.forge.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verified API keys by hash, so a request does not hit the database. Bounded LRU, used only
 * from the AuthVerticle's event loop. Entries go on delete (here and, through the bus, on every
 * other node) and on expiry; {@code lastTouchMs} throttles last_used writes to one a minute.
 */
final class ApiKeyCache {

  static final class Entry {
    final ApiKeyStore.KeyRow row;
    final long loadedAtMs;
    long lastTouchMs;

    Entry(ApiKeyStore.KeyRow row, long nowMs) {
      this.row = row;
      this.loadedAtMs = nowMs;
    }
  }

  private final LinkedHashMap<String, Entry> byHash;
  private final long maxAgeMs;

  ApiKeyCache(int maxEntries, long maxAgeMs) {
    this.maxAgeMs = maxAgeMs;
    this.byHash = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  Entry get(String hash, long nowMs) {
    Entry e = byHash.get(hash);
    if (e != null && nowMs - e.loadedAtMs > maxAgeMs) {
      byHash.remove(hash);
      return null;
    }
    return e;
  }

  Entry put(String hash, ApiKeyStore.KeyRow row, long nowMs) {
    Entry e = new Entry(row, nowMs);
    byHash.put(hash, e);
    return e;
  }

  void removeKey(String keyId) {
    byHash.values().removeIf(e -> e.row.id().equals(keyId));
  }

  void removeUser(String userId) {
    byHash.values().removeIf(e -> e.row.userId().equals(userId));
  }

  int size() {
    return byHash.size();
  }
}
