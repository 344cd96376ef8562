package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process backend. Windows: GCRA with one {@code long} per subject, no allocation once a
 * subject is known. Days: counted in PostgreSQL through leased blocks ({@link DayLeases}), so they
 * survive restarts, stay exact-or-stricter across nodes, and cost a query per block rather than
 * per request; a day found exhausted is remembered here until midnight so a client hammering after
 * its limit costs no query.
 *
 * <p>Bounded: at most {@code maxEntries} subjects, least recently used evicted first (an evicted
 * subject starts with a full bucket again; its unused leased units stay counted), and subjects
 * whose bucket is full again and that hold no day state are swept.
 *
 * <p>Thread-safe: the HTTP verticles of this node call it on their own event loops (see
 * {@link InProcessLimiter}). Every state change happens under one lock shared with the day leases;
 * the lock is held for a map lookup and a few arithmetic steps (a lease query is sent under it, never
 * waited for), and callers' code never runs under it.
 */
final class MemoryLimiter implements Limiter {

  private static final class Cell {
    long tat;               // theoretical arrival time, epoch µs
    DayLeases.Subject day;  // null until the subject meets a day limit
  }

  private final LinkedHashMap<String, Cell> cells;
  private final DayLeases days;
  private final Object lock;

  /** {@code days} may be null when no limit checked here has a day part (benchmarks). */
  MemoryLimiter(int maxEntries, DayLeases days) {
    this.days = days;
    this.lock = days == null ? new Object() : days.lock();
    this.cells = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cell> eldest) {
        return size() > maxEntries;
      }
    };
  }

  @Override
  public Future<Decision> check(String subject, Limits limits, long nowMillis) {
    synchronized (lock) {
      return checkLocked(subject, limits, nowMillis);
    }
  }

  private Future<Decision> checkLocked(String subject, Limits limits, long nowMillis) {
    long now = nowMillis * 1_000L;
    long today = UtcDays.epochDay(nowMillis);
    Cell cell = cells.get(subject);
    if (cell != null && limits.hasDayLimit() && cell.day != null && cell.day.exhausted(today, limits.perDay())) {
      return Future.succeededFuture(Decision.day(Math.max(0L, cell.tat - now), limits.perDay()));
    }
    long interval = limits.intervalMicros();
    long tat = cell == null ? now : Math.max(cell.tat, now);
    long used = limits.hasWindowLimit() ? tat + interval - now : 0L;
    if (used > limits.capacityMicros()) {
      return Future.succeededFuture(Decision.window(tat - now, used - limits.capacityMicros(), -1L));
    }
    if (cell == null) {
      cell = new Cell();
      cells.put(subject, cell);
    }
    cell.tat = tat + interval;
    if (!limits.hasDayLimit()) {
      return Future.succeededFuture(Decision.allowed(used, 0L));
    }
    if (cell.day == null) {
      cell.day = new DayLeases.Subject(subject);
    }
    Cell taken = cell;
    return days.take(cell.day, today, limits.perDay(), nowMillis).map(count -> {
      if (count == DayLeases.UNCOUNTED) {
        return Decision.allowed(used, -1L);
      }
      if (count >= 0) {
        return Decision.allowed(used, count);
      }
      // the day refused: give the window slot back (this may run after a lease, outside check's lock)
      synchronized (lock) {
        taken.tat -= interval;
        return Decision.day(Math.max(0L, taken.tat - now), limits.perDay());
      }
    });
  }

  /** Drops subjects whose bucket is full again and that hold no day state; returns how many. */
  int sweep(long nowMillis) {
    synchronized (lock) {
      return sweepLocked(nowMillis);
    }
  }

  private int sweepLocked(long nowMillis) {
    long now = nowMillis * 1_000L;
    long today = UtcDays.epochDay(nowMillis);
    int removed = 0;
    for (Iterator<Cell> it = cells.values().iterator(); it.hasNext(); ) {
      Cell c = it.next();
      if (c.tat <= now && (c.day == null || !c.day.holdsState(today))) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  int size() {
    synchronized (lock) {
      return cells.size();
    }
  }

  long dayStoreErrors() {
    return days == null ? 0L : days.errors();
  }

  long dayLeases() {
    return days == null ? 0L : days.leases();
  }

  /** Gives the day units leased and not served back to PostgreSQL, then forgets everything. */
  @Override
  public Future<Void> close() {
    List<DayLeases.Subject> held = new ArrayList<>();
    synchronized (lock) {
      cells.values().forEach(c -> {
        if (c.day != null) {
          held.add(c.day);
        }
      });
      cells.clear();
    }
    return days == null ? Future.succeededFuture() : days.giveBack(held);
  }
}
