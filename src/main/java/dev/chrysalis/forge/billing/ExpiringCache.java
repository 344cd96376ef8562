package dev.chrysalis.forge.billing;

import java.util.HashMap;
import java.util.Map;

/**
 * A small map whose entries expire, confined to one event loop (no locking). When full it is
 * cleared rather than evicting one by one: entries are cheap to fetch again.
 */
final class ExpiringCache<V> {

  private record Entry<V>(V value, long expiresAt) {
  }

  private final Map<String, Entry<V>> map = new HashMap<>();
  private final long ttlMs;
  private final int maxSize;

  ExpiringCache(long ttlMs, int maxSize) {
    this.ttlMs = ttlMs;
    this.maxSize = maxSize;
  }

  /** The value if still fresh, else null. */
  V fresh(String key) {
    Entry<V> e = map.get(key);
    return e != null && e.expiresAt() > System.currentTimeMillis() ? e.value() : null;
  }

  /** The value even if expired (the last known answer), or null. */
  V any(String key) {
    Entry<V> e = map.get(key);
    return e == null ? null : e.value();
  }

  void put(String key, V value) {
    if (ttlMs <= 0) {
      return;
    }
    if (map.size() >= maxSize) {
      map.clear();
    }
    map.put(key, new Entry<>(value, System.currentTimeMillis() + ttlMs));
  }

  void remove(String key) {
    map.remove(key);
  }
}
