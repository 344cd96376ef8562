package dev.chrysalis.forge.workspace;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL for {@code threads}, {@code thread_relations} and {@code thread_contexts}. */
final class ThreadStore {

  static final String COLUMNS = "t.id, t.user_id, t.org_id, t.project_id, t.title, t.status, t.summary, "
    + "t.created_at, t.updated_at";
  /** The threads a user can see: personal ones it owns, and every thread of its orgs. */
  static final String VISIBLE = "((t.org_id IS NULL AND t.user_id = ?) OR t.org_id IN "
    + "(SELECT org_id FROM org_members WHERE user_id = ?))";

  private final Pool pool;

  ThreadStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  static JsonObject threadJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("title", r.getString("title"))
      .put("status", r.getString("status")).put("summary", r.getString("summary"))
      .put("user_id", r.getString("user_id")).put("org_id", r.getString("org_id"))
      .put("project_id", r.getString("project_id"))
      .put("created_at", Sql.ts(r, "created_at")).put("updated_at", Sql.ts(r, "updated_at"));
  }

  static JsonObject contextJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("thread_id", r.getString("thread_id"))
      .put("parent_id", r.getString("parent_id")).put("title", r.getString("title")).put("kind", r.getString("kind"))
      .put("body", r.getString("body")).put("metadata", Sql.json(r, "metadata"))
      .put("created_by", r.getString("created_by"))
      .put("created_at", Sql.ts(r, "created_at")).put("updated_at", Sql.ts(r, "updated_at"));
  }

  Future<Access> access(SqlClient c, String threadId, String userId) {
    return c.preparedQuery("SELECT " + COLUMNS + ", m.role FROM threads t "
        + "LEFT JOIN org_members m ON m.org_id = t.org_id AND m.user_id = $2 WHERE t.id = $1")
      .execute(Tuple.of(threadId, userId)).map(rows -> {
        Row r = Sql.first(rows);
        return r == null ? Access.NONE : Access.of(threadJson(r), r.getString("user_id"), userId, r.getString("role"));
      });
  }

  Future<Void> insert(SqlClient c, JsonObject t) {
    return c.preparedQuery("INSERT INTO threads (id, user_id, org_id, project_id, title, summary) VALUES ($1, $2, $3, $4, $5, $6)")
      .execute(Tuple.of(t.getString("id"), t.getString("user_id"), t.getString("org_id"), t.getString("project_id"),
        t.getString("title"), t.getString("summary"))).mapEmpty();
  }

  /** Threads the user created (its per-user cap counts these). */
  Future<Long> countOwned(SqlClient c, String userId) {
    return c.preparedQuery("SELECT count(*) AS n FROM threads WHERE user_id = $1")
      .execute(Tuple.of(userId)).map(rows -> rows.iterator().next().getLong("n"));
  }

  Future<Void> update(SqlClient c, String id, String title, String status, String summary) {
    return c.preparedQuery("UPDATE threads SET title = COALESCE($2, title), status = COALESCE($3, status), "
        + "summary = COALESCE($4, summary), updated_at = now() WHERE id = $1")
      .execute(Tuple.of(id, title, status, summary)).mapEmpty();
  }

  Future<JsonObject> list(String userId, String projectId, String status, Page page) {
    Sql.Where w = new Sql.Where().and(VISIBLE, userId, userId);
    if (projectId != null) {
      w.and("t.project_id = ?", projectId);
    }
    if (status != null) {
      w.and("t.status = ?", status);
    }
    w.after(page.after(), "t.created_at", "t.id");
    String sql = "SELECT " + COLUMNS + " FROM threads t" + w.sql() + " ORDER BY t.created_at DESC, t.id DESC"
      + w.limit(page.limit() + 1);
    return pool.preparedQuery(sql).execute(w.params()).map(rows -> page.answer(rows, ThreadStore::threadJson, "created_at", "id"));
  }

  // ---- relations ----

  Future<Void> insertRelation(SqlClient c, String from, String to, String type, String userId) {
    return c.preparedQuery("INSERT INTO thread_relations (from_thread_id, to_thread_id, relation_type, created_by) "
        + "VALUES ($1, $2, $3, $4)").execute(Tuple.of(from, to, type, userId)).mapEmpty();
  }

  /** Serializes relation changes, so two concurrent inserts cannot close a cycle between them. */
  Future<Void> lockRelations(SqlClient c) {
    return c.query("SELECT pg_advisory_xact_lock(hashtext('forge.thread_relations'))").execute().mapEmpty();
  }

  /** Whether {@code target} is reachable from {@code start} along child_of and continues_from edges. */
  Future<Boolean> reaches(SqlClient c, String start, String target) {
    return c.preparedQuery("WITH RECURSIVE reach(id) AS (SELECT $1::text UNION "
        + "SELECT r.to_thread_id FROM thread_relations r JOIN reach ON r.from_thread_id = reach.id "
        + "WHERE r.relation_type IN ('child_of', 'continues_from')) SELECT 1 FROM reach WHERE id = $2 LIMIT 1")
      .execute(Tuple.of(start, target)).map(rows -> rows.size() > 0);
  }

  /** Relation types already stored from {@code from}: "type" for any target, "type:to" for this target. */
  Future<List<String>> existing(SqlClient c, String from, String to) {
    return c.preparedQuery("SELECT relation_type, to_thread_id, from_thread_id FROM thread_relations "
        + "WHERE from_thread_id = $1 OR (relation_type = 'relates_to' AND from_thread_id = $2 AND to_thread_id = $1)")
      .execute(Tuple.of(from, to)).map(rows -> {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
          out.add(r.getString("relation_type"));
          String other = from.equals(r.getString("from_thread_id")) ? r.getString("to_thread_id") : r.getString("from_thread_id");
          out.add(r.getString("relation_type") + ":" + other);
        }
        return out;
      });
  }

  /**
   * The relations of a thread in both directions, keeping only threads the caller can see:
   * {continues_from, continued_by, parent, children, related}, each a thread reference.
   */
  Future<JsonObject> relations(SqlClient c, String threadId, String userId) {
    String sql = "SELECT r.relation_type, r.from_thread_id = $1 AS outgoing, t.id, t.title, t.status FROM thread_relations r "
      + "JOIN threads t ON t.id = CASE WHEN r.from_thread_id = $1 THEN r.to_thread_id ELSE r.from_thread_id END "
      + "WHERE (r.from_thread_id = $1 OR r.to_thread_id = $1) AND "
      + "((t.org_id IS NULL AND t.user_id = $2) OR t.org_id IN (SELECT org_id FROM org_members WHERE user_id = $2)) "
      + "ORDER BY r.created_at, t.id";
    return c.preparedQuery(sql).execute(Tuple.of(threadId, userId)).map(rows -> {
      JsonObject out = new JsonObject().put("continues_from", null).put("continued_by", new JsonArray())
        .put("parent", null).put("children", new JsonArray()).put("related", new JsonArray());
      for (Row r : rows) {
        JsonObject ref = new JsonObject().put("id", r.getString("id")).put("title", r.getString("title"))
          .put("status", r.getString("status"));
        boolean outgoing = r.getBoolean("outgoing");
        switch (r.getString("relation_type")) {
          case "continues_from" -> {
            if (outgoing) {
              out.put("continues_from", ref);
            } else {
              out.getJsonArray("continued_by").add(ref);
            }
          }
          case "child_of" -> {
            if (outgoing) {
              out.put("parent", ref);
            } else {
              out.getJsonArray("children").add(ref);
            }
          }
          default -> out.getJsonArray("related").add(ref);
        }
      }
      return out;
    });
  }

  // ---- contexts ----

  Future<Void> insertContext(SqlClient c, JsonObject ctx) {
    return c.preparedQuery("INSERT INTO thread_contexts (id, thread_id, parent_id, title, kind, body, metadata, created_by) "
        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
      .execute(Tuple.of(ctx.getString("id"), ctx.getString("thread_id"), ctx.getString("parent_id"), ctx.getString("title"),
        ctx.getString("kind"), ctx.getString("body"), ctx.getJsonObject("metadata"), ctx.getString("created_by")))
      .mapEmpty();
  }

  Future<JsonObject> context(SqlClient c, String id) {
    return c.preparedQuery("SELECT * FROM thread_contexts WHERE id = $1").execute(Tuple.of(id)).map(rows -> {
      Row r = Sql.first(rows);
      return r == null ? null : contextJson(r).put("children", new JsonArray());
    });
  }

  /** Depth of a context in its thread's tree (1 for a root), or 0 when it is not in that thread. */
  Future<Integer> depthInThread(SqlClient c, String contextId, String threadId) {
    return c.preparedQuery("WITH RECURSIVE up(id, parent_id, thread_id, depth) AS ("
        + "SELECT id, parent_id, thread_id, 1 FROM thread_contexts WHERE id = $1 UNION ALL "
        + "SELECT c.id, c.parent_id, c.thread_id, up.depth + 1 FROM thread_contexts c JOIN up ON c.id = up.parent_id "
        + "WHERE up.depth < 100) "
        + "SELECT max(depth) AS depth, bool_and(thread_id = $2) AS same FROM up")
      .execute(Tuple.of(contextId, threadId)).map(rows -> {
        Row r = rows.iterator().next();
        Integer depth = r.getInteger("depth");
        return depth == null || !Boolean.TRUE.equals(r.getBoolean("same")) ? 0 : depth;
      });
  }

  /** Serializes context inserts of one thread, so its limits hold under concurrency. */
  Future<Void> lockThread(SqlClient c, String threadId) {
    return c.preparedQuery("SELECT id FROM threads WHERE id = $1 FOR UPDATE").execute(Tuple.of(threadId)).mapEmpty();
  }

  Future<Long> contextCount(SqlClient c, String threadId) {
    return c.preparedQuery("SELECT count(*) AS n FROM thread_contexts WHERE thread_id = $1")
      .execute(Tuple.of(threadId)).map(rows -> rows.iterator().next().getLong("n"));
  }

  /** The thread's contexts as a forest: roots in creation order, each with its {@code children}. */
  Future<JsonArray> contextTree(SqlClient c, String threadId) {
    return c.preparedQuery("SELECT * FROM thread_contexts WHERE thread_id = $1 ORDER BY created_at, id")
      .execute(Tuple.of(threadId)).map(rows -> {
        Map<String, JsonObject> byId = new LinkedHashMap<>();
        for (Row r : rows) {
          byId.put(r.getString("id"), contextJson(r).put("children", new JsonArray()));
        }
        JsonArray roots = new JsonArray();
        for (JsonObject node : byId.values()) {
          JsonObject parent = node.getString("parent_id") == null ? null : byId.get(node.getString("parent_id"));
          if (parent == null) {
            roots.add(node);
          } else {
            parent.getJsonArray("children").add(node);
          }
        }
        return roots;
      });
  }
}
