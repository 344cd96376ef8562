package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** SQL for {@code audit_events}: what {@code forge.audit} carries, kept for org admins to read. */
final class AuditStore {

  private final Pool pool;

  AuditStore(Pool pool) {
    this.pool = pool;
  }

  static JsonObject eventJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("action", r.getString("action"))
      .put("actor_id", r.getString("actor_id")).put("target", r.getString("target"))
      .put("org_id", r.getString("org_id")).put("ip", r.getString("ip")).put("user_agent", r.getString("user_agent"))
      .put("metadata", Sql.json(r, "metadata")).put("created_at", Sql.ts(r, "created_at"));
  }

  /** Stores one event as published by {@code AuditEvent.publish}; odd fields are cut, not refused. */
  Future<Void> insert(JsonObject event) {
    OffsetDateTime at;
    try {
      at = event.getString("at") == null ? OffsetDateTime.now() : OffsetDateTime.parse(event.getString("at"));
    } catch (DateTimeParseException | ClassCastException e) {
      at = OffsetDateTime.now();
    }
    Object meta = event.getValue("metadata");
    return pool.preparedQuery("INSERT INTO audit_events (id, action, actor_id, target, org_id, ip, user_agent, metadata, created_at) "
        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
      .execute(Tuple.tuple()
        .addValue(Ids.next("aud"))
        .addValue(cut(text(event, "action"), 100))
        .addValue(cut(text(event, "actor_id"), 64))
        .addValue(cut(text(event, "target"), 320))
        .addValue(cut(text(event, "org_id"), 64))
        .addValue(cut(text(event, "ip"), 64))
        .addValue(cut(text(event, "user_agent"), 256))
        .addValue(meta instanceof JsonObject j ? j : new JsonObject())
        .addValue(at))
      .mapEmpty();
  }

  Future<JsonObject> listForOrg(String orgId, String action, Page page) {
    Sql.Where w = new Sql.Where().and("org_id = ?", orgId);
    if (action != null) {
      w.and("action = ?", action);
    }
    w.after(page.after(), "created_at", "id");
    String sql = "SELECT * FROM audit_events" + w.sql() + " ORDER BY created_at DESC, id DESC" + w.limit(page.limit() + 1);
    return pool.preparedQuery(sql).execute(w.params()).map(rows -> page.answer(rows, AuditStore::eventJson, "created_at", "id"));
  }

  private static String text(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v == null ? null : v.toString();
  }

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
