package dev.chrysalis.forge.vault;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A bounded LRU with a time-to-live, used from one event loop only. Absence is cached too
 * ({@code Optional.empty()}), so users without a key of their own do not hit the database on every
 * request. The generation counter lets a load that raced with an invalidation skip its stale put.
 */
final class TtlCache<V> {

  private record Entry<V>(Optional<V> value, long loadedAtMs) {
  }

  private final LinkedHashMap<String, Entry<V>> map;
  private final long ttlMs;
  private long generation;

  TtlCache(int maxEntries, long ttlMs) {
    this.ttlMs = ttlMs;
    this.map = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** Null on a miss; otherwise the cached value (which may be empty). */
  Optional<V> get(String key, long nowMs) {
    Entry<V> e = map.get(key);
    if (e == null) {
      return null;
    }
    if (nowMs - e.loadedAtMs() > ttlMs) {
      map.remove(key);
      return null;
    }
    return e.value();
  }

  long generation() {
    return generation;
  }

  /** Stores a value loaded when the generation was {@code loadedAt}, unless something was invalidated since. */
  void put(String key, V value, long nowMs, long loadedAt) {
    if (loadedAt == generation) {
      map.put(key, new Entry<>(Optional.ofNullable(value), nowMs));
    }
  }

  void remove(String key) {
    generation++;
    map.remove(key);
  }

  void removeIf(Predicate<String> keyTest) {
    generation++;
    map.keySet().removeIf(keyTest);
  }

  void clear() {
    generation++;
    map.clear();
  }

  int size() {
    return map.size();
  }
}
