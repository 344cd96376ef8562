package dev.chrysalis.forge.ratelimit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node on the Redis backend knows of each subject, and how it limits while Redis is
 * unreachable. Exact-or-stricter by construction (the argument is in docs/operations.md):
 *
 * <ul>
 *   <li>While Redis answers, every answer is remembered: the subject's arrival time (GCRA) and
 *       day count as Redis last reported them.</li>
 *   <li>While Redis is unreachable, each node counts on its own with its share of each limit:
 *       {@code floor(L / N)} per window and {@code floor(day limit / N)} for a day that began
 *       during the outage, N being the most live nodes seen since the outage began. A node alone
 *       (N = 1) starts each subject from what Redis last said; with several nodes each starts
 *       from nothing remaining (a node's memory may be older than another node's), so the
 *       share refills at {@code L / N} per window and the nodes together at {@code L} per window.
 *       A day whose count is not known exactly is not served at all until Redis answers.</li>
 *   <li>When Redis answers again, {@link #toReconcile} lists, per subject, what Redis must at
 *       least hold: the last known state plus everything let through locally.</li>
 * </ul>
 *
 * <p>Bounded: at most {@code maxEntries} subjects, least recently used evicted first; subjects
 * whose bucket is full again and that hold no day count or local counting are swept.
 * Not thread-safe: it lives on the rate-limit verticle's event loop.
 */
final class OutageLimiter {

  private static final class Entry {
    // what Redis last said
    Limits limits;
    long tat;              // epoch µs, 0 = unknown
    long dayEpoch = -1;    // the UTC day dayCount belongs to
    long dayCount;
    // this node's own counting while Redis is unreachable (and during the grace after it)
    boolean counting;
    Limits countingLimits;
    int nodes;
    long localTat;
    long localInterval;
    long localCap;
    long owedMicros;       // let through locally, as GCRA time in the subject's limits
    long pushedMicros;
    long countingSince;    // the UTC day local counting began
    long countingDay;
    boolean dayKnown;
    long dayLeft;
    long dayAdmitted;
    long pushedDay;
  }

  /** What Redis must at least hold for one subject after an outage. */
  record Pending(String subject, Limits limits, long knownTat, long localMicros, long knownDayCount,
                 long localDayCount, long epochDay) {
  }

  private final LinkedHashMap<String, Entry> entries;

  OutageLimiter(int maxEntries) {
    this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** Remembers what Redis answered for {@code subject}. */
  void remember(String subject, Limits limits, long nowMillis, Decision d) {
    long now = nowMillis * 1_000L;
    long tat = limits.hasWindowLimit() ? now + Math.max(0L, d.windowUsedMicros()) : 0L;
    boolean day = limits.hasDayLimit() && d.dayCount() >= 0;
    Entry e = entries.get(subject);
    if (e == null) {
      if (tat <= now && (!day || d.dayCount() == 0)) {
        return;   // a full bucket and an unused day: nothing worth keeping
      }
      e = new Entry();
      entries.put(subject, e);
    }
    e.limits = limits;
    e.tat = Math.max(e.tat, tat);
    if (day) {
      long today = UtcDays.epochDay(nowMillis);
      e.dayCount = e.dayEpoch == today ? Math.max(e.dayCount, d.dayCount()) : d.dayCount();
      e.dayEpoch = today;
    }
  }

  /** One check while Redis is unreachable (or in the grace after it), {@code nodes} live nodes. */
  Decision check(String subject, Limits limits, long nowMillis, int nodes, long retryAfterMicros) {
    long now = nowMillis * 1_000L;
    long today = UtcDays.epochDay(nowMillis);
    Entry e = entries.get(subject);
    if (e == null) {
      e = new Entry();
      entries.put(subject, e);
    }
    if (!e.counting || nodes > e.nodes || !limits.equals(e.countingLimits)) {
      start(e, limits, now, today, Math.max(1, nodes));
    }
    long reportedUsed = 0L;
    long tat = now;
    if (limits.hasWindowLimit()) {
      if (e.localCap == 0) {
        return Decision.unavailable(retryAfterMicros);
      }
      tat = Math.max(e.localTat, now);
      long used = tat + e.localInterval - now;
      if (used > e.localCap) {
        return Decision.window(reported(limits, e, tat - now), used - e.localCap, dayReport(e, limits));
      }
      reportedUsed = reported(limits, e, used);
    }
    if (limits.hasDayLimit()) {
      if (e.countingDay != today) {
        // a day that began during the outage: every node starts it at zero, so shares are safe
        startDay(e, limits, today, false);
      }
      if (e.dayLeft <= 0) {
        return e.dayKnown ? Decision.day(reportedUsed, limits.perDay()) : Decision.unavailable(retryAfterMicros);
      }
      e.dayLeft--;
      e.dayAdmitted++;
    }
    if (limits.hasWindowLimit()) {
      e.localTat = tat + e.localInterval;
    }
    e.owedMicros += limits.intervalMicros();
    return Decision.allowed(reportedUsed, dayReport(e, limits));
  }

  /** Starts (or, when the node count or the limits change, restarts stricter) local counting; nothing owed is dropped. */
  private static void start(Entry e, Limits limits, long now, long today, int nodes) {
    boolean restart = e.counting;
    if (!restart) {
      e.countingSince = today;
      e.owedMicros = 0;
      e.pushedMicros = 0;
      e.dayAdmitted = 0;
      e.pushedDay = 0;
    }
    e.counting = true;
    e.countingLimits = limits;
    e.nodes = nodes;
    long share = limits.perWindow() / nodes;
    e.localInterval = share == 0 ? 0L : Math.max(1L, limits.windowMicros() / share);
    e.localCap = e.localInterval * share;
    boolean alone = nodes == 1;
    boolean sameLimits = limits.equals(e.limits);
    // alone, the node's memory is Redis's last word; with others, it may be older than theirs
    e.localTat = !restart && alone && sameLimits && e.tat > 0 ? e.tat : now + e.localCap;
    if (restart && e.countingDay == today) {
      e.dayLeft = Math.min(e.dayLeft, limits.perDay() / nodes);
      return;
    }
    startDay(e, limits, today, alone && sameLimits && e.dayEpoch == today);
  }

  /** A day's local count: exact from Redis's last word alone, a share when the day began during the outage, else none. */
  private static void startDay(Entry e, Limits limits, long today, boolean lastWordIsExact) {
    if (e.countingDay != today) {
      e.dayAdmitted = 0;   // what was owed for an earlier day no longer matters
      e.pushedDay = 0;
    }
    e.countingDay = today;
    if (today > e.countingSince) {
      e.dayKnown = true;
      e.dayLeft = limits.perDay() / e.nodes;
    } else if (lastWordIsExact) {
      e.dayKnown = true;
      e.dayLeft = Math.max(0L, limits.perDay() - e.dayCount);
    } else {
      e.dayKnown = false;
      e.dayLeft = 0;
    }
  }

  /** Window used, in the subject's own limits, that gives the remaining count of the node's share. */
  private static long reported(Limits limits, Entry e, long localUsed) {
    long remaining = Math.max(0L, (e.localCap - localUsed) / e.localInterval);
    return Math.max(0L, limits.capacityMicros() - remaining * limits.intervalMicros());
  }

  private static long dayReport(Entry e, Limits limits) {
    return limits.hasDayLimit() && e.dayKnown ? limits.perDay() - e.dayLeft : -1L;
  }

  /** Everything Redis must at least hold now: per subject the last known state plus what was let through locally and not yet pushed. */
  List<Pending> toReconcile(long nowMillis) {
    long now = nowMillis * 1_000L;
    long today = UtcDays.epochDay(nowMillis);
    List<Pending> out = new ArrayList<>();
    for (Map.Entry<String, Entry> me : entries.entrySet()) {
      Entry e = me.getValue();
      long local = e.counting ? e.owedMicros - e.pushedMicros : 0L;
      long localDay = e.counting && e.countingDay == today ? e.dayAdmitted - e.pushedDay : 0L;
      long knownDay = e.dayEpoch == today ? e.dayCount : 0L;
      Limits limits = e.counting ? e.countingLimits : e.limits;
      if (limits == null || (e.tat <= now && local == 0 && knownDay == 0 && localDay == 0)) {
        continue;
      }
      out.add(new Pending(me.getKey(), limits, e.tat, local, knownDay, localDay, today));
    }
    return out;
  }

  /** Only what was let through locally and is not yet in Redis. */
  List<Pending> owed(long nowMillis) {
    long today = UtcDays.epochDay(nowMillis);
    List<Pending> out = new ArrayList<>();
    for (Map.Entry<String, Entry> me : entries.entrySet()) {
      Entry e = me.getValue();
      if (!e.counting) {
        continue;
      }
      long local = e.owedMicros - e.pushedMicros;
      long localDay = e.countingDay == today ? e.dayAdmitted - e.pushedDay : 0L;
      if (local > 0 || localDay > 0) {
        out.add(new Pending(me.getKey(), e.countingLimits, 0L, local, 0L, localDay, today));
      }
    }
    return out;
  }

  /** Redis now holds {@code pushed}: only what is let through locally after it is still owed. */
  void markPushed(List<Pending> pushed) {
    for (Pending p : pushed) {
      Entry e = entries.get(p.subject());
      if (e != null && e.counting) {
        e.pushedMicros += p.localMicros();
        if (e.countingDay == p.epochDay()) {
          e.pushedDay += p.localDayCount();
        }
      }
    }
  }

  /** Redis is trusted alone again: local counting stops everywhere. */
  void stopCounting() {
    for (Entry e : entries.values()) {
      e.counting = false;
      e.countingLimits = null;
    }
  }

  /** Drops subjects that hold nothing worth keeping; returns how many. */
  int sweep(long nowMillis) {
    long now = nowMillis * 1_000L;
    long today = UtcDays.epochDay(nowMillis);
    int removed = 0;
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (!e.counting && e.tat <= now && (e.dayEpoch != today || e.dayCount == 0)) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  int size() {
    return entries.size();
  }
}
