package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** SQL for {@code sessions} and {@code session_messages}. */
final class SessionStore {

  private static final String COLUMNS = "s.id, s.user_id, s.org_id, s.thread_id, s.mode, s.title, s.status, "
    + "s.created_at, s.updated_at, s.archived_at";

  private final Pool pool;

  SessionStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  static JsonObject sessionJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("user_id", r.getString("user_id"))
      .put("org_id", r.getString("org_id")).put("thread_id", r.getString("thread_id")).put("mode", r.getString("mode"))
      .put("title", r.getString("title")).put("status", r.getString("status"))
      .put("created_at", Sql.ts(r, "created_at")).put("updated_at", Sql.ts(r, "updated_at"))
      .put("archived_at", Sql.ts(r, "archived_at"));
  }

  static JsonObject messageJson(Row r) {
    BigDecimal cost = r.getBigDecimal("cost_usd");
    return new JsonObject().put("id", r.getString("id")).put("role", r.getString("role"))
      .put("content", r.getString("content")).put("tokens_in", r.getInteger("tokens_in"))
      .put("tokens_out", r.getInteger("tokens_out")).put("cost_usd", cost == null ? 0.0 : cost.doubleValue())
      .put("model", r.getString("model")).put("created_at", Sql.ts(r, "created_at"));
  }

  Future<Void> insert(SqlClient c, String id, String userId, String orgId, String threadId, String mode, String title) {
    return c.preparedQuery("INSERT INTO sessions (id, user_id, org_id, thread_id, mode, title) VALUES ($1, $2, $3, $4, $5, $6)")
      .execute(Tuple.of(id, userId, orgId, threadId, mode, title)).mapEmpty();
  }

  /**
   * Inserts a session outside any thread unless the user already holds {@code cap} of those
   * (0 = no cap); false when refused. Thread sessions are not counted: a thread has one active
   * session, and rotation replaces it.
   */
  Future<Boolean> insertStandalone(String id, String userId, String orgId, String mode, String title, int cap) {
    return pool.withTransaction(c -> Sql.lockCap(c, "sessions", userId)
      .compose(v -> c.preparedQuery("INSERT INTO sessions (id, user_id, org_id, thread_id, mode, title) "
          + "SELECT $1, $2, $3, NULL, $4, $5 WHERE $6 = 0 OR "
          + "(SELECT count(*) FROM sessions WHERE user_id = $2 AND thread_id IS NULL) < $6")
        .execute(Tuple.of(id, userId, orgId, mode, title, cap)))
      .map(rows -> rows.rowCount() > 0));
  }

  /** Inserts an active session of the thread unless the user already has one; true when inserted. */
  Future<Boolean> insertActiveForThread(String id, String userId, String orgId, String threadId, String mode, String title) {
    return pool.preparedQuery("INSERT INTO sessions (id, user_id, org_id, thread_id, mode, title) VALUES ($1, $2, $3, $4, $5, $6) "
        + "ON CONFLICT (thread_id, user_id) WHERE status = 'active' AND thread_id IS NOT NULL DO NOTHING")
      .execute(Tuple.of(id, userId, orgId, threadId, mode, title)).map(rows -> rows.rowCount() == 1);
  }

  Future<JsonObject> activeForThread(String threadId, String userId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM sessions s WHERE s.thread_id = $1 AND s.user_id = $2 "
        + "AND s.status = 'active'").execute(Tuple.of(threadId, userId)).map(rows -> {
          Row r = Sql.first(rows);
          return r == null ? null : sessionJson(r);
        });
  }

  /** The session when it belongs to the user; null otherwise (sessions are private to their user). */
  Future<JsonObject> owned(SqlClient c, String sessionId, String userId) {
    return c.preparedQuery("SELECT " + COLUMNS + " FROM sessions s WHERE s.id = $1 AND s.user_id = $2")
      .execute(Tuple.of(sessionId, userId)).map(rows -> {
        Row r = Sql.first(rows);
        return r == null ? null : sessionJson(r);
      });
  }

  Future<JsonObject> list(String userId, Page page) {
    Sql.Where w = new Sql.Where().and("s.user_id = ?", userId).after(page.after(), "s.created_at", "s.id");
    String sql = "SELECT " + COLUMNS + " FROM sessions s" + w.sql() + " ORDER BY s.created_at DESC, s.id DESC"
      + w.limit(page.limit() + 1);
    return pool.preparedQuery(sql).execute(w.params()).map(rows -> page.answer(rows, SessionStore::sessionJson, "created_at", "id"));
  }

  /** The last {@code limit} messages, oldest first, and whether older ones exist. */
  Future<JsonObject> history(SqlClient c, String sessionId, int limit) {
    return c.preparedQuery("SELECT * FROM (SELECT * FROM session_messages WHERE session_id = $1 ORDER BY seq DESC LIMIT $2) m "
        + "ORDER BY seq").execute(Tuple.of(sessionId, limit + 1)).map(rows -> {
          List<JsonObject> all = new ArrayList<>();
          rows.forEach(r -> all.add(messageJson(r)));
          boolean more = all.size() > limit;
          JsonArray messages = new JsonArray(new ArrayList<>(more ? all.subList(1, all.size()) : all));
          return new JsonObject().put("messages", messages).put("has_more", more);
        });
  }

  /**
   * The latest messages that fit {@code maxBytes} of content together, at most {@code limit},
   * oldest first, and whether older ones exist. The sizes are summed newest first before any
   * content is read, so the database reads no message that does not fit.
   */
  Future<JsonObject> window(SqlClient c, String sessionId, int limit, long maxBytes) {
    return c.preparedQuery("WITH recent AS (SELECT id, seq, octet_length(content) AS size FROM session_messages "
        + "WHERE session_id = $1 ORDER BY seq DESC LIMIT $2), "
        + "sized AS (SELECT id, sum(size) OVER (ORDER BY seq DESC) AS running, count(*) OVER () AS fetched FROM recent) "
        + "SELECT m.*, s.fetched FROM sized s JOIN session_messages m ON m.id = s.id WHERE s.running <= $3 ORDER BY m.seq")
      .execute(Tuple.of(sessionId, limit + 1, maxBytes)).map(rows -> {
        List<JsonObject> all = new ArrayList<>();
        long fetched = 0;
        for (Row r : rows) {
          fetched = r.getLong("fetched");
          all.add(messageJson(r));
        }
        // the oldest row is the one beyond the limit when limit + 1 fit
        List<JsonObject> shown = all.size() > limit ? all.subList(all.size() - limit, all.size()) : all;
        return new JsonObject().put("messages", new JsonArray(new ArrayList<>(shown))).put("has_more", shown.size() < fetched);
      });
  }

  /**
   * Claims the rotation of an active session: true when no rotation ran or failed recently; the
   * claim then holds off others for {@code leaseSeconds} (so concurrent messages summarize once).
   */
  Future<Boolean> claimRotation(String sessionId, String userId, long leaseSeconds) {
    return pool.preparedQuery("UPDATE sessions SET rotation_not_before = now() + make_interval(secs => $3) "
        + "WHERE id = $1 AND user_id = $2 AND status = 'active' "
        + "AND (rotation_not_before IS NULL OR rotation_not_before <= now())")
      .execute(Tuple.of(sessionId, userId, (double) leaseSeconds)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Records a failed rotation: the next may start after {@code baseMs} doubled per earlier
   * failure, at most 64 times {@code baseMs}. Answers {attempts, not_before}; null when the
   * session is not the user's.
   */
  Future<JsonObject> rotationFailed(String sessionId, String userId, long baseMs) {
    return pool.preparedQuery("UPDATE sessions SET rotation_attempts = rotation_attempts + 1, "
        + "rotation_not_before = now() + make_interval(secs => $3 * power(2, least(rotation_attempts, 6)) / 1000.0) "
        + "WHERE id = $1 AND user_id = $2 RETURNING rotation_attempts, rotation_not_before")
      .execute(Tuple.of(sessionId, userId, (double) baseMs)).map(rows -> {
        Row r = Sql.first(rows);
        return r == null ? null : new JsonObject().put("attempts", r.getInteger("rotation_attempts"))
          .put("not_before", Sql.ts(r, "rotation_not_before"));
      });
  }

  /** Totals over the whole session. */
  Future<JsonObject> usage(SqlClient c, String sessionId) {
    return c.preparedQuery("SELECT count(*) AS n, COALESCE(sum(tokens_in), 0) AS tin, COALESCE(sum(tokens_out), 0) AS tout, "
        + "COALESCE(sum(cost_usd), 0) AS cost FROM session_messages WHERE session_id = $1")
      .execute(Tuple.of(sessionId)).map(rows -> {
        Row r = rows.iterator().next();
        return new JsonObject().put("message_count", r.getLong("n")).put("tokens_in", r.getLong("tin"))
          .put("tokens_out", r.getLong("tout")).put("cost_usd", r.getBigDecimal("cost").doubleValue());
      });
  }

  /** Appends messages in order inside the caller's transaction; answers their ids. */
  Future<JsonArray> append(SqlClient c, String sessionId, JsonArray messages) {
    List<Tuple> batch = new ArrayList<>();
    JsonArray ids = new JsonArray();
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      String id = Ids.next("msg");
      ids.add(id);
      batch.add(Tuple.of(id, sessionId, m.getString("role"), m.getString("content"),
        m.getInteger("tokens_in", 0), m.getInteger("tokens_out", 0),
        new BigDecimal(String.valueOf(m.getNumber("cost_usd", 0))), m.getString("model")));
    }
    return c.preparedQuery("INSERT INTO session_messages (id, session_id, role, content, tokens_in, tokens_out, cost_usd, model) "
        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)").executeBatch(batch)
      .compose(v -> c.preparedQuery("UPDATE sessions SET updated_at = now() WHERE id = $1").execute(Tuple.of(sessionId)))
      .map(v -> ids);
  }

  Future<Void> archive(SqlClient c, String sessionId) {
    return c.preparedQuery("UPDATE sessions SET status = 'archived', archived_at = COALESCE(archived_at, now()), "
        + "updated_at = now() WHERE id = $1").execute(Tuple.of(sessionId)).mapEmpty();
  }
}
