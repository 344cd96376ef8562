package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** SQL for {@code billing_outbox}: calls owed to Autumn, claimed by relays with a lease. */
final class OutboxStore {

  /**
   * One owed call: {@code kind} is track or customer; the id doubles as the Idempotency-Key. A
   * claimed row also carries when it was written and its age, both by the database's clock, and
   * the error of its previous attempt.
   */
  record Row(String id, String kind, JsonObject payload, int attempts, long createdAtMs, long ageMs, String lastError) {

    Row(String id, String kind, JsonObject payload, int attempts) {
      this(id, kind, payload, attempts, 0, 0, null);
    }
  }

  /** Most parked rows one replay re-queues, so one call stays one bounded statement. */
  static final int REPLAY_MAX = 10_000;

  private final Pool pool;

  OutboxStore(Pool pool) {
    this.pool = pool;
  }

  /** Inserts on the given connection (inside the caller's transaction); an existing id is kept. */
  Future<Void> insert(SqlClient conn, Row row) {
    return conn.preparedQuery("INSERT INTO billing_outbox (id, kind, payload) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
      .execute(Tuple.of(row.id(), row.kind(), row.payload())).mapEmpty();
  }

  Future<Void> insertAll(SqlClient conn, List<Row> rows) {
    return conn.preparedQuery("INSERT INTO billing_outbox (id, kind, payload) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
      .executeBatch(rows.stream().map(r -> Tuple.of(r.id(), r.kind(), r.payload())).toList()).mapEmpty();
  }

  Future<Void> insert(Row row) {
    return insert(pool, row);
  }

  /**
   * Claims up to {@code limit} due rows for {@code leaseSeconds}: rows another relay has locked
   * are skipped, and a claimed row is not due again until its lease runs out, so a crashed
   * relay's rows are retried by whoever comes next.
   */
  Future<List<Row>> claim(int limit, double leaseSeconds) {
    return pool.preparedQuery(
        "UPDATE billing_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2) "
          + "WHERE id IN (SELECT id FROM billing_outbox WHERE delivered_at IS NULL AND failed_at IS NULL "
          + "AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
          + "RETURNING id, kind, payload, attempts, last_error, "
          + "(EXTRACT(EPOCH FROM created_at) * 1000)::bigint AS created_ms, "
          + "(EXTRACT(EPOCH FROM (now() - created_at)) * 1000)::bigint AS age_ms")
      .execute(Tuple.of(limit, leaseSeconds))
      .map(rows -> {
        List<Row> out = new ArrayList<>();
        rows.forEach(r -> out.add(new Row(r.getString("id"), r.getString("kind"), r.getJsonObject("payload"),
          r.getInteger("attempts"), r.getLong("created_ms"), r.getLong("age_ms"), r.getString("last_error"))));
        return out;
      });
  }

  Future<Void> delivered(String id) {
    return pool.preparedQuery("UPDATE billing_outbox SET delivered_at = now(), last_error = NULL WHERE id = $1")
      .execute(Tuple.of(id)).mapEmpty();
  }

  Future<Void> retryLater(String id, long delayMs, String error) {
    return pool.preparedQuery(
        "UPDATE billing_outbox SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1")
      .execute(Tuple.of(id, delayMs / 1000.0, error)).mapEmpty();
  }

  Future<Void> failed(String id, String error) {
    return pool.preparedQuery("UPDATE billing_outbox SET failed_at = now(), last_error = $2 WHERE id = $1")
      .execute(Tuple.of(id, error)).mapEmpty();
  }

  /**
   * Parked rows in id order after {@code after} (null: from the start), at most {@code limit}:
   * what an operator needs to judge them, never the whole payload.
   */
  Future<List<JsonObject>> parked(int limit, String after) {
    return pool.preparedQuery("SELECT id, kind, payload->>'customer_id' AS customer_id, attempts, last_error, "
        + "created_at, failed_at FROM billing_outbox WHERE failed_at IS NOT NULL AND delivered_at IS NULL "
        + "AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $1")
      .execute(Tuple.of(limit, after))
      .map(rows -> {
        List<JsonObject> out = new ArrayList<>();
        rows.forEach(r -> out.add(new JsonObject().put("id", r.getString("id")).put("kind", r.getString("kind"))
          .put("customer_id", r.getString("customer_id")).put("attempts", r.getInteger("attempts"))
          .put("last_error", r.getString("last_error"))
          .put("created_at", r.getOffsetDateTime("created_at").toInstant().toString())
          .put("failed_at", r.getOffsetDateTime("failed_at").toInstant().toString())));
        return out;
      });
  }

  /**
   * Puts parked rows back in the queue, due now with a fresh attempt count: the given ids, or
   * (ids null) the {@code limit} parked longest. Rows not parked are left alone. → how many.
   */
  Future<Integer> replay(List<String> ids, int limit) {
    String which = ids == null
      ? "id IN (SELECT id FROM billing_outbox WHERE failed_at IS NOT NULL AND delivered_at IS NULL "
        + "ORDER BY failed_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)"
      : "id = ANY($1) AND failed_at IS NOT NULL AND delivered_at IS NULL";
    Tuple args = ids == null ? Tuple.of(limit) : Tuple.of(ids.toArray(new String[0]));
    return pool.preparedQuery("UPDATE billing_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = now() "
        + "WHERE " + which)
      .execute(args).map(rows -> rows.rowCount());
  }

  /** {pending, failed, delivered} row counts, for the status report. */
  Future<JsonObject> counts() {
    return pool.query("SELECT COUNT(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending, "
        + "COUNT(*) FILTER (WHERE failed_at IS NOT NULL) AS failed, "
        + "COUNT(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered FROM billing_outbox")
      .execute()
      .map(rows -> {
        io.vertx.sqlclient.Row r = rows.iterator().next();
        return new JsonObject().put("pending", r.getLong("pending")).put("failed", r.getLong("failed"))
          .put("delivered", r.getLong("delivered"));
      });
  }
}
