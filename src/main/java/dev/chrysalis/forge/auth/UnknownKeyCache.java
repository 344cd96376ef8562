package dev.chrysalis.forge.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hashes of well-formed API keys that matched no row, remembered for a short while, so a client
 * sending random {@code chs_} keys costs an HMAC and a map lookup rather than a query each. Bounded
 * LRU, used only from the AuthVerticle's event loop.
 *
 * <p>A created key must never be refused because of this: creating one drops its hash here and,
 * through the bus, on every node ({@link #forget}); and a lookup that was in flight while any hash
 * was dropped does not cache its miss ({@link #generation}), since it may have read the table
 * before that key was committed.
 */
final class UnknownKeyCache {

  private final LinkedHashMap<String, Long> expiresAt;
  private final long ttlMs;
  private long generation;

  UnknownKeyCache(int maxEntries, long ttlMs) {
    this.ttlMs = ttlMs;
    this.expiresAt = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** True while the hash is remembered as matching no key. */
  boolean isUnknown(String hash, long nowMs) {
    Long until = expiresAt.get(hash);
    if (until == null) {
      return false;
    }
    if (until <= nowMs) {
      expiresAt.remove(hash);
      return false;
    }
    return true;
  }

  /** Taken before a lookup; pass it to {@link #remember}. */
  long generation() {
    return generation;
  }

  /** Remembers a miss, unless a hash was dropped since the lookup began (or caching is off). */
  void remember(String hash, long nowMs, long generationAtLookup) {
    if (ttlMs > 0 && generationAtLookup == generation) {
      expiresAt.put(hash, nowMs + ttlMs);
    }
  }

  /** A key with this hash now exists. */
  void forget(String hash) {
    generation++;
    expiresAt.remove(hash);
  }

  int size() {
    return expiresAt.size();
  }
}
