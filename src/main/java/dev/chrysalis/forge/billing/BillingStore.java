package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** SQL for plan assignments, the daily message counters and their reservations. */
final class BillingStore {

  /** A reservation that took a message: the counter value after it. */
  record Reserved(String reservationId, int used) {
  }

  /**
   * Releases reservations still open that were made before $1, a batch at a time, in one
   * statement: the rows are claimed with SKIP LOCKED (a reservation being consumed or released
   * right now is left to that call), marked released, and their messages given back to their
   * day's counters. Returns how many were released.
   */
  private static final String RELEASE_STALE = """
    WITH stale AS (
      SELECT id FROM billing_reservations
      WHERE status = 'reserved' AND created_at < $1
      ORDER BY created_at LIMIT $2
      FOR UPDATE SKIP LOCKED
    ), released AS (
      UPDATE billing_reservations r SET status = 'released', settled_at = $3
      FROM stale WHERE r.id = stale.id
      RETURNING r.subject_type, r.subject_id, r.day
    ), given AS (
      UPDATE billing_message_counters c SET used = GREATEST(c.used - g.n, 0)
      FROM (SELECT subject_type, subject_id, day, count(*)::int AS n FROM released GROUP BY 1, 2, 3) g
      WHERE c.subject_type = g.subject_type AND c.subject_id = g.subject_id AND c.day = g.day
      RETURNING 1
    )
    SELECT count(*)::int AS released FROM released""";

  /** Any constant: the advisory lock that lets one node sweep at a time. */
  private static final long SWEEP_LOCK = 0x666f7267655f7273L;

  private final Pool pool;
  private final Clock clock;

  /** {@code clock} stamps reservations and judges their age (tests drive it). */
  BillingStore(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** The plan id assigned to the subject, or null when none is (the default plan applies). */
  Future<String> assignedPlan(Subject s) {
    return pool.preparedQuery("SELECT plan_id FROM billing_plan_assignments WHERE subject_type = $1 AND subject_id = $2")
      .execute(Tuple.of(s.type(), s.id()))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("plan_id"));
  }

  Future<Void> assignPlan(Subject s, String planId, String assignedBy) {
    return pool.preparedQuery(
        "INSERT INTO billing_plan_assignments (subject_type, subject_id, plan_id, assigned_by) VALUES ($1, $2, $3, $4) "
          + "ON CONFLICT (subject_type, subject_id) DO UPDATE SET plan_id = $3, assigned_by = $4, updated_at = now()")
      .execute(Tuple.of(s.type(), s.id(), planId, assignedBy)).mapEmpty();
  }

  /** Messages the subject used on the day. */
  Future<Integer> used(Subject s, LocalDate day) {
    return pool.preparedQuery(
        "SELECT used FROM billing_message_counters WHERE subject_type = $1 AND subject_id = $2 AND day = $3")
      .execute(Tuple.of(s.type(), s.id(), day))
      .map(rows -> rows.size() == 0 ? 0 : rows.iterator().next().getInteger("used"));
  }

  Future<Reserved> reserve(Subject s, LocalDate day, int limit, String reservationId, String requestId, String userId) {
    return reserve(s, day, limit, reservationId, requestId, null, userId);
  }

  /**
   * Takes one message if fewer than {@code limit} are used, in one transaction: the conditional
   * upsert is the check and the consume in a single statement (concurrent callers queue on the
   * row lock and re-check the condition), then the reservation row. Null when the limit is reached.
   */
  Future<Reserved> reserve(Subject s, LocalDate day, int limit, String reservationId, String requestId,
                           String clientRequestId, String userId) {
    if (limit <= 0) {
      return Future.succeededFuture(null);
    }
    return pool.withTransaction(conn -> conn.preparedQuery(
          "INSERT INTO billing_message_counters (subject_type, subject_id, day, used) VALUES ($1, $2, $3, 1) "
            + "ON CONFLICT (subject_type, subject_id, day) DO UPDATE SET used = billing_message_counters.used + 1 "
            + "WHERE billing_message_counters.used < $4 RETURNING used")
        .execute(Tuple.of(s.type(), s.id(), day, limit))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          int used = rows.iterator().next().getInteger("used");
          return conn.preparedQuery(
              "INSERT INTO billing_reservations (id, request_id, client_request_id, user_id, subject_type, subject_id, "
                + "day, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .execute(Tuple.from(new Object[] {reservationId, requestId, clientRequestId, userId, s.type(), s.id(), day,
              now()}))
            .map(v -> new Reserved(reservationId, used));
        }));
  }

  /**
   * Gives a reserved message back. Returns the reservation as it is afterwards
   * ({id, status, released}), or null when there is no such reservation.
   */
  Future<JsonObject> release(String reservationId) {
    return pool.withTransaction(conn -> conn.preparedQuery(
          "UPDATE billing_reservations SET status = 'released', settled_at = now() "
            + "WHERE id = $1 AND status = 'reserved' RETURNING subject_type, subject_id, day")
        .execute(Tuple.of(reservationId))
        .compose(rows -> {
          if (rows.size() == 1) {
            Row r = rows.iterator().next();
            return conn.preparedQuery(
                "UPDATE billing_message_counters SET used = used - 1 "
                  + "WHERE subject_type = $1 AND subject_id = $2 AND day = $3 AND used > 0")
              .execute(Tuple.of(r.getString("subject_type"), r.getString("subject_id"), r.getLocalDate("day")))
              .map(v -> new JsonObject().put("reservation_id", reservationId).put("status", "released").put("released", true));
          }
          return conn.preparedQuery("SELECT status FROM billing_reservations WHERE id = $1")
            .execute(Tuple.of(reservationId))
            .map(r -> settledOrNull(r, reservationId));
        }));
  }

  /**
   * Gives back the messages of reservations older than {@code maxAge} that were never consumed
   * nor released (their request died with its process), up to {@code batch} of them. Several
   * nodes may call this at once: one sweeps (a transaction-scoped advisory lock, so two sweeps
   * never lock counter rows in opposite orders), the others return 0 at once.
   */
  Future<Integer> releaseStale(Duration maxAge, int batch) {
    OffsetDateTime now = now();
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS mine")
      .execute(Tuple.of(SWEEP_LOCK))
      .compose(lock -> !lock.iterator().next().getBoolean("mine")
        ? Future.succeededFuture(0)
        : conn.preparedQuery(RELEASE_STALE).execute(Tuple.of(now.minus(maxAge), batch, now))
          .map(rows -> rows.iterator().next().getInteger("released"))));
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  private static JsonObject settledOrNull(RowSet<Row> rows, String reservationId) {
    if (rows.size() == 0) {
      return null;
    }
    return new JsonObject().put("reservation_id", reservationId).put("status", rows.iterator().next().getString("status"))
      .put("released", false);
  }
}
