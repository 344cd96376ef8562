package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.util.List;

/** All SQL on {@code rate_limit_days}: the in-process limiter's day counters, kept across restarts. */
final class DayCounterStore {

  /** What one lease got: the day's count after it, and how many units it added (0 = the day is at its limit). */
  record Lease(long count, long granted) {
  }

  /** Units a node leased and did not serve, to give back when it stops. */
  record Unused(String subject, LocalDate day, long units) {
  }

  /**
   * Adds up to $3 units, never past the limit $4; nothing returned = the row is already at the
   * limit (the conditional update did not fire). SET expressions all see the old row, so
   * last_grant is exactly what this statement added.
   */
  private static final String LEASE = """
    INSERT INTO rate_limit_days AS d (subject, day, count, last_grant) VALUES ($1, $2, LEAST($3::int, $4::int), LEAST($3::int, $4::int))
    ON CONFLICT (subject, day) DO UPDATE
      SET count = d.count + LEAST($3::int, $4::int - d.count), last_grant = LEAST($3::int, $4::int - d.count)
      WHERE d.count < $4::int
    RETURNING count, last_grant""";

  private static final String GIVE_BACK = """
    UPDATE rate_limit_days AS d SET count = d.count - LEAST(u.units, d.count)
    FROM unnest($1::text[], $2::date[], $3::int[]) AS u(subject, day, units)
    WHERE d.subject = u.subject AND d.day = u.day""";

  private final Pool pool;

  DayCounterStore(Pool pool) {
    this.pool = pool;
  }

  /** Takes up to {@code units} of the day's {@code limit} in one atomic statement. */
  Future<Lease> lease(String subject, LocalDate day, long units, long limit) {
    return pool.preparedQuery(LEASE).execute(Tuple.of(subject, day, (int) units, (int) limit))
      .map(rows -> {
        if (rows.size() == 0) {
          return new Lease(limit, 0);
        }
        Row r = rows.iterator().next();
        return new Lease(r.getLong("count"), r.getLong("last_grant"));
      });
  }

  /** Counts one request if the day is under {@code limit}: the new count, or -1 when the limit is reached. */
  Future<Long> take(String subject, LocalDate day, long limit) {
    return lease(subject, day, 1, limit).map(l -> l.granted() == 1 ? l.count() : -1L);
  }

  /**
   * Returns leased units that were never served (on a clean stop); one statement for all subjects.
   */
  Future<Integer> giveBack(List<Unused> unused) {
    if (unused.isEmpty()) {
      return Future.succeededFuture(0);
    }
    String[] subjects = new String[unused.size()];
    LocalDate[] days = new LocalDate[unused.size()];
    Integer[] units = new Integer[unused.size()];
    for (int i = 0; i < unused.size(); i++) {
      subjects[i] = unused.get(i).subject();
      days[i] = unused.get(i).day();
      units[i] = (int) unused.get(i).units();
    }
    return pool.preparedQuery(GIVE_BACK).execute(Tuple.of(subjects, days, units)).map(RowSet::rowCount);
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
