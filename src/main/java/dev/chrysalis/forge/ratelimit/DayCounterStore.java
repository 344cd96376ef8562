package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;

/** All SQL on {@code rate_limit_days}: the in-process limiter's day counters, kept across restarts. */
final class DayCounterStore {

  /** Nothing returned = the row is already at the limit (the conditional update did not fire). */
  private static final String TAKE = """
    INSERT INTO rate_limit_days (subject, day, count) VALUES ($1, $2, 1)
    ON CONFLICT (subject, day) DO UPDATE SET count = rate_limit_days.count + 1
      WHERE rate_limit_days.count < $3
    RETURNING count""";

  private final Pool pool;

  DayCounterStore(Pool pool) {
    this.pool = pool;
  }

  /** Counts one request if the day is under {@code limit}: the new count, or -1 when the limit is reached. */
  Future<Long> take(String subject, LocalDate day, long limit) {
    return pool.preparedQuery(TAKE).execute(Tuple.of(subject, day, limit))
      .map(rows -> rows.size() == 0 ? -1L : rows.iterator().next().getLong(0));
  }

  Future<Long> count(String subject, LocalDate day) {
    return pool.preparedQuery("SELECT count FROM rate_limit_days WHERE subject = $1 AND day = $2")
      .execute(Tuple.of(subject, day))
      .map(DayCounterStore::firstLong);
  }

  /** Drops counters of days before {@code keepFrom}; they can no longer matter. */
  Future<Integer> purgeBefore(LocalDate keepFrom) {
    return pool.preparedQuery("DELETE FROM rate_limit_days WHERE day < $1").execute(Tuple.of(keepFrom))
      .map(RowSet::rowCount);
  }

  private static long firstLong(RowSet<Row> rows) {
    return rows.size() == 0 ? 0L : rows.iterator().next().getLong(0);
  }
}
