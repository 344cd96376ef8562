package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Day counters of the in-process backend without a database round trip per request. A node
 * leases blocks of a subject's day count from PostgreSQL ({@link DayCounterStore#lease}: one
 * atomic {@code count = count + n}, clamped to the limit) and serves requests from the block in
 * memory, so the total counted in PostgreSQL is always at least what every node let through:
 * never more than the limit pass, on any number of nodes.
 *
 * <p>Lease size: the requests waiting for it, plus spare units for the next arrivals. The spare
 * doubles while leases follow each other within {@value #GROW_MILLIS} ms and halves when they do
 * not (so it tracks about a second of the subject's traffic), and is capped by {@code maxSpare} and
 * by a tenth of what the day has left, so near the limit the last requests are counted one by one.
 *
 * <p>Unused units stay counted: on a clean stop they are given back ({@link #unused}); after a
 * crash they count as used (stricter, at most one spare block per hot subject). The day's count a
 * node reports is its last known PostgreSQL count minus its own unserved units, exact on one node.
 *
 * <p>Thread-safe through {@link #lock()}, which {@link MemoryLimiter} shares: requests are taken
 * on the calling event loop; waiters a lease serves are completed after the lock is released, so
 * no caller's code runs under it.
 */
final class DayLeases {

  /** {@link #take} outcome: the day is at its limit. */
  static final long REFUSED = -1;
  /** {@link #take} outcome: allowed without counting (the database did not answer in time). */
  static final long UNCOUNTED = -2;
  private static final long NEED_LEASE = -3;
  static final long GROW_MILLIS = 1_000;
  private static final long LEFT_FRACTION = 10;
  private static final long LOG_EVERY_MILLIS = 60_000;
  private static final Logger LOG = LoggerFactory.getLogger(DayLeases.class);

  private record Waiter(long day, long limit, Promise<Long> promise) {
  }

  /** One subject's day on this node. */
  static final class Subject {
    private final String name;
    private long day = Long.MIN_VALUE;
    private long block;          // units counted in PostgreSQL, not yet served by this node
    private long counted;        // the day's PostgreSQL count after this node's latest lease
    private long lastLimit;
    private long spare = 1;
    private long lastLeaseMillis = Long.MIN_VALUE / 2;
    private boolean inFlight;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    Subject(String name) {
      this.name = name;
    }

    /** Worth keeping in memory: holds units, a lease or waiting requests, or knows the day is used up. */
    boolean holdsState(long today) {
      return inFlight || !waiters.isEmpty() || (day == today && (block > 0 || counted >= lastLimit));
    }

    /** Known to be at the limit for the day: no query needed to refuse. */
    boolean exhausted(long today, long limit) {
      return day == today && block == 0 && counted >= limit;
    }
  }

  private final Object lock = new Object();
  private final DayCounterStore store;
  private final long queryTimeoutMillis;
  private final long maxSpare;
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong leases = new AtomicLong();
  private long lastErrorLog = Long.MIN_VALUE / 2;

  DayLeases(DayCounterStore store, long queryTimeoutMillis, long maxSpare) {
    this.store = store;
    this.queryTimeoutMillis = queryTimeoutMillis;
    this.maxSpare = Math.max(0L, maxSpare);
  }

  /**
   * Counts one request of {@code s} on UTC epoch day {@code day}: the day's count after it,
   * {@link #REFUSED}, or {@link #UNCOUNTED} when PostgreSQL failed or was slower than the timeout
   * (a database hiccup must not turn into refused requests).
   */
  Future<Long> take(Subject s, long day, long limit, long nowMillis) {
    List<Runnable> served;
    Promise<Long> p;
    synchronized (lock) {
      if (s.waiters.isEmpty()) {
        long local = serveLocally(s, day, limit);
        if (local != NEED_LEASE) {
          return Future.succeededFuture(local);
        }
      }
      p = Promise.promise();
      s.waiters.add(new Waiter(day, limit, p));
      served = drain(s, nowMillis);
    }
    served.forEach(Runnable::run);
    return p.future();
  }

  /** The lock guarding every subject's state. */
  Object lock() {
    return lock;
  }

  /** A count, {@link #REFUSED}, or {@link #NEED_LEASE} when this node holds no unit for the request. */
  private static long serveLocally(Subject s, long day, long limit) {
    if (day > s.day) {
      // a new UTC day: what was leased for the old one is worthless now
      s.day = day;
      s.block = 0;
      s.counted = 0;
    }
    // a request stamped before midnight but served after it counts on the new day (stricter)
    s.lastLimit = limit;
    long used = s.counted - s.block;
    if (used >= limit) {
      return REFUSED;
    }
    if (s.block > 0) {
      s.block--;
      return used + 1;
    }
    return NEED_LEASE;
  }

  /** Serves the waiters it can (under the lock); returns their completions, to run once it is released. */
  private List<Runnable> drain(Subject s, long nowMillis) {
    List<Runnable> served = new ArrayList<>(0);
    while (!s.waiters.isEmpty()) {
      Waiter w = s.waiters.peek();
      long local = serveLocally(s, w.day(), w.limit());
      if (local == NEED_LEASE) {
        break;
      }
      s.waiters.poll();
      served.add(() -> w.promise().complete(local));
    }
    if (!s.waiters.isEmpty() && !s.inFlight) {
      lease(s, nowMillis);
    }
    return served;
  }

  private void lease(Subject s, long nowMillis) {
    Waiter head = s.waiters.peek();
    long day = s.day;
    long limit = head.limit();
    if (nowMillis - s.lastLeaseMillis < GROW_MILLIS) {
      s.spare = Math.min(Math.max(1L, maxSpare), s.spare * 2);
    } else {
      s.spare = Math.max(1L, s.spare / 2);
    }
    s.lastLeaseMillis = nowMillis;
    long left = Math.max(0L, limit - s.counted);
    long spare = Math.min(Math.min(s.spare, maxSpare), left / LEFT_FRACTION);
    long units = Math.min(s.waiters.size() + spare, Integer.MAX_VALUE);
    s.inFlight = true;
    leases.incrementAndGet();
    store.lease(s.name, LocalDate.ofEpochDay(day), units, limit)
      .timeout(queryTimeoutMillis, TimeUnit.MILLISECONDS)
      .onComplete(ar -> {
        List<Runnable> served;
        synchronized (lock) {
          s.inFlight = false;
          List<Waiter> uncounted = new ArrayList<>(0);
          if (ar.succeeded()) {
            if (s.day == day) {
              s.counted = Math.max(s.counted, ar.result().count());
              s.block += ar.result().granted();
            }
            // else: units of a day that is over; they no longer matter
          } else {
            // a lease that commits after its timeout only over-counts
            failed(ar.cause(), nowMillis);
            for (Waiter w; (w = s.waiters.poll()) != null; ) {
              uncounted.add(w);
            }
          }
          served = drain(s, nowMillis);
          uncounted.forEach(w -> served.add(() -> w.promise().complete(UNCOUNTED)));
        }
        served.forEach(Runnable::run);
      });
  }

  private void failed(Throwable t, long nowMillis) {
    errors.incrementAndGet();
    if (nowMillis - lastErrorLog >= LOG_EVERY_MILLIS) {
      lastErrorLog = nowMillis;
      LOG.warn("day counter unavailable, day limits not enforced for now: {}", t.getClass().getSimpleName());
    }
  }

  /** Units the subjects hold for their current day and have not served. */
  List<DayCounterStore.Unused> unused(Collection<Subject> subjects) {
    synchronized (lock) {
      return unusedLocked(subjects);
    }
  }

  private static List<DayCounterStore.Unused> unusedLocked(Collection<Subject> subjects) {
    List<DayCounterStore.Unused> out = new ArrayList<>();
    for (Subject s : subjects) {
      if (s.block > 0) {
        out.add(new DayCounterStore.Unused(s.name, LocalDate.ofEpochDay(s.day), s.block));
        s.block = 0;
      }
    }
    out.sort((a, b) -> a.subject().compareTo(b.subject()));
    return out;
  }

  /**
   * Gives unused units back to PostgreSQL on a clean stop (the rate limiter stops before the
   * services deployed ahead of it, so the shared pool is still open). A failure only leaves the
   * units counted (stricter).
   */
  Future<Void> giveBack(Collection<Subject> subjects) {
    List<DayCounterStore.Unused> unused = unused(subjects);
    if (unused.isEmpty()) {
      return Future.succeededFuture();
    }
    return store.giveBack(unused)
      .timeout(Math.max(queryTimeoutMillis, 5_000L), TimeUnit.MILLISECONDS)
      .<Void>mapEmpty()
      .recover(t -> {
        LOG.warn("could not give back the unused day-limit leases of {} subjects; they stay counted for today: {}",
          unused.size(), t.getClass().getSimpleName());
        return Future.succeededFuture();
      });
  }

  long errors() {
    return errors.get();
  }

  long leases() {
    return leases.get();
  }
}
