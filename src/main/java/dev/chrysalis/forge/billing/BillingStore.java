package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;

/** SQL for plan assignments, the daily message counters and their reservations. */
final class BillingStore {

  /** A reservation that took a message: the counter value after it. */
  record Reserved(String reservationId, int used) {
  }

  private final Pool pool;

  BillingStore(Pool pool) {
    this.pool = pool;
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

  /**
   * Takes one message if fewer than {@code limit} are used, in one transaction: the conditional
   * upsert is the check and the consume in a single statement (concurrent callers queue on the
   * row lock and re-check the condition), then the reservation row. Null when the limit is reached.
   */
  Future<Reserved> reserve(Subject s, LocalDate day, int limit, String reservationId, String requestId, String userId) {
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
              "INSERT INTO billing_reservations (id, request_id, user_id, subject_type, subject_id, day) "
                + "VALUES ($1, $2, $3, $4, $5, $6)")
            .execute(Tuple.of(reservationId, requestId, userId, s.type(), s.id(), day))
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

  private static JsonObject settledOrNull(RowSet<Row> rows, String reservationId) {
    if (rows.size() == 0) {
      return null;
    }
    return new JsonObject().put("reservation_id", reservationId).put("status", rows.iterator().next().getString("status"))
      .put("released", false);
  }
}
