package dev.chrysalis.forge.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Plan ids per user (and org), kept for a while so the hot path asks the plan source rarely.
 * Bounded (least recently used evicted). Thread-safe (each method holds the cache's lock): the HTTP
 * verticles' in-process checks and the rate-limit verticle's plan-change consumer share it.
 */
final class TierCache {

  private record Entry(String planId, long expiresAt) {
  }

  private final long ttlMillis;
  private final LinkedHashMap<String, Entry> entries;

  TierCache(int maxEntries, long ttlMillis) {
    this.ttlMillis = ttlMillis;
    this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  static String key(String userId, String orgId) {
    return orgId == null ? userId : userId + "/" + orgId;
  }

  /** The cached plan id, or null when absent or expired. */
  synchronized String get(String key, long nowMillis) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (e.expiresAt <= nowMillis) {
      entries.remove(key);
      return null;
    }
    return e.planId;
  }

  synchronized void put(String key, String planId, long nowMillis) {
    put(key, planId, nowMillis, ttlMillis);
  }

  synchronized void put(String key, String planId, long nowMillis, long forMillis) {
    long ttl = Math.min(forMillis, ttlMillis);
    if (ttl > 0) {
      entries.put(key, new Entry(planId, nowMillis + ttl));
    }
  }

  /** Forgets a user's plan in every org. */
  synchronized void forgetUser(String userId) {
    entries.keySet().removeIf(k -> k.equals(userId) || k.startsWith(userId + "/"));
  }

  /** Forgets every member's plan in one org. */
  synchronized void forgetOrg(String orgId) {
    entries.keySet().removeIf(k -> k.endsWith("/" + orgId));
  }

  synchronized int size() {
    return entries.size();
  }
}
