package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process backend. Windows: GCRA with one {@code long} per subject, no allocation once a
 * subject is known. Days: counted in PostgreSQL with a conditional upsert ({@link DayCounterStore}),
 * so they survive restarts and stay exact across nodes; a day found exhausted is remembered here
 * until midnight so a client hammering after its limit costs no query.
 *
 * <p>Bounded: at most {@code maxEntries} subjects, least recently used evicted first (an evicted
 * subject starts with a full bucket again), and subjects whose bucket is full again are swept.
 * Not thread-safe: it lives on the rate-limit verticle's event loop.
 */
final class MemoryLimiter implements Limiter {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryLimiter.class);
  private static final long LOG_EVERY_MILLIS = 60_000;

  private static final class Cell {
    long tat;               // theoretical arrival time, epoch µs
    long dayBlockedUntil;   // epoch ms; 0 = not known to be exhausted
    long dayBlockedLimit;
  }

  private final LinkedHashMap<String, Cell> cells;
  private final DayCounterStore days;
  /** A day query slower than this lets the request through (a late commit only over-counts). */
  private final long dayQueryTimeoutMillis;
  private final AtomicLong dayStoreErrors = new AtomicLong();
  private long lastErrorLog;

  MemoryLimiter(int maxEntries, DayCounterStore days, long dayQueryTimeoutMillis) {
    this.days = days;
    this.dayQueryTimeoutMillis = dayQueryTimeoutMillis;
    this.cells = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cell> eldest) {
        return size() > maxEntries;
      }
    };
  }

  @Override
  public Future<Decision> check(String subject, Limits limits, long nowMillis) {
    long now = nowMillis * 1_000L;
    Cell cell = cells.get(subject);
    if (cell != null && limits.hasDayLimit() && cell.dayBlockedUntil > nowMillis
      && limits.perDay() <= cell.dayBlockedLimit) {
      return Future.succeededFuture(Decision.day(Math.max(0L, cell.tat - now), limits.perDay()));
    }
    long interval = limits.intervalMicros();
    long tat = cell == null ? now : Math.max(cell.tat, now);
    long used = tat + interval - now;
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
    Cell taken = cell;
    return days.take(subject, UtcDays.date(nowMillis), limits.perDay())
      .timeout(dayQueryTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS).map(count -> {
      if (count >= 0) {
        return Decision.allowed(used, count);
      }
      // the day refused: give the window slot back and remember the exhausted day until midnight
      taken.tat -= interval;
      taken.dayBlockedUntil = UtcDays.nextMidnightMillis(nowMillis);
      taken.dayBlockedLimit = limits.perDay();
      return Decision.day(Math.max(0L, taken.tat - now), limits.perDay());
    }).recover(t -> {
      // a database hiccup must not turn into refused requests: the window still applies
      dayStoreErrors.incrementAndGet();
      if (nowMillis - lastErrorLog >= LOG_EVERY_MILLIS) {
        lastErrorLog = nowMillis;
        LOG.warn("day counter unavailable, day limits not enforced for now: {}", t.getClass().getSimpleName());
      }
      return Future.succeededFuture(Decision.allowed(used, -1L));
    });
  }

  /** Drops subjects whose bucket is full again and whose day is not blocked; returns how many. */
  int sweep(long nowMillis) {
    long now = nowMillis * 1_000L;
    int removed = 0;
    for (Iterator<Cell> it = cells.values().iterator(); it.hasNext(); ) {
      Cell c = it.next();
      if (c.tat <= now && c.dayBlockedUntil <= nowMillis) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  int size() {
    return cells.size();
  }

  long dayStoreErrors() {
    return dayStoreErrors.get();
  }

  @Override
  public Future<Void> close() {
    cells.clear();
    return Future.succeededFuture();
  }
}
