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

  /**
   * The walk along child_of and continues_from edges. A thread has at most one edge of each kind
   * (unique indexes), so the lateral step is {@code LIMIT 2}: that keeps it a per-thread index
   * probe, where a plain join lets the planner hash the whole table on every step (seconds on a
   * long chain in a table whose statistics are stale).
   */
  static final String REACH = "WITH RECURSIVE reach(id) AS (SELECT $1::text UNION "
    + "SELECT step.to_thread_id FROM reach CROSS JOIN LATERAL (SELECT r.to_thread_id FROM thread_relations r "
    + "WHERE r.from_thread_id = reach.id AND r.relation_type IN ('child_of', 'continues_from') LIMIT 2) step) ";

  /**
   * Locks what a new relation {@code from → to} depends on and answers whether it would close a
   * cycle of child_of / continues_from edges. Both threads are locked; with {@code walk}, so is
   * every thread reachable from {@code to} along those edges, and the walk is repeated under the
   * locks until it finds nothing it has not locked. Two relations that could close a cycle
   * together then share a locked thread (the one where the path of one meets the other's
   * {@code from}), so they are checked one after the other; relations in unrelated parts of the
   * graph never wait for each other. Thread rows are locked {@code FOR NO KEY UPDATE}: no lock
   * table entries however long the chain, and foreign-key checks on the threads are not blocked.
   */
  Future<Boolean> lockAndCheckCycle(SqlClient c, String from, String to, boolean walk) {
    java.util.Set<String> locked = new java.util.TreeSet<>(List.of(from, to));
    Future<java.util.Set<String>> first = walk ? reach(c, to) : Future.succeededFuture(java.util.Set.of());
    return first.compose(reached -> {
      locked.addAll(reached);
      return lockThreads(c, locked);
    }).compose(v -> walk ? closeOver(c, from, to, locked) : Future.succeededFuture(false));
  }

  private Future<Boolean> closeOver(SqlClient c, String from, String to, java.util.Set<String> locked) {
    return reach(c, to).compose(reached -> {
      if (reached.contains(from)) {
        return Future.succeededFuture(true);
      }
      if (locked.containsAll(reached)) {
        return Future.succeededFuture(false);
      }
      java.util.Set<String> more = new java.util.TreeSet<>(reached);
      more.removeAll(locked);
      locked.addAll(more);
      return lockThreads(c, more).compose(v -> closeOver(c, from, to, locked));
    });
  }

  private static Future<Void> lockThreads(SqlClient c, java.util.Set<String> ids) {
    return c.preparedQuery("SELECT id FROM threads WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
      .execute(Tuple.of(ids.toArray(new String[0]))).mapEmpty();
  }

  /** Every thread reachable from {@code start} along child_of and continues_from edges, itself included. */
  private static Future<java.util.Set<String>> reach(SqlClient c, String start) {
    return c.preparedQuery(REACH + "SELECT id FROM reach").execute(Tuple.of(start)).map(rows -> {
      java.util.Set<String> ids = new java.util.HashSet<>();
      rows.forEach(r -> ids.add(r.getString("id")));
      return ids;
    });
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
   * {continues_from, continued_by, parent, children, related, has_more}, each a thread reference.
   * Each list holds at most {@code shown} threads, the oldest relations first; {@code has_more}
   * tells that one of them was cut.
   */
  Future<JsonObject> relations(SqlClient c, String threadId, String userId, int shown) {
    String sql = "SELECT relation_type, outgoing, id, title, status, n FROM ("
      + "SELECT r.relation_type, r.from_thread_id = $1 AS outgoing, t.id, t.title, t.status, r.created_at, "
      + "row_number() OVER (PARTITION BY r.relation_type, r.from_thread_id = $1 ORDER BY r.created_at, t.id) AS n "
      + "FROM thread_relations r "
      + "JOIN threads t ON t.id = CASE WHEN r.from_thread_id = $1 THEN r.to_thread_id ELSE r.from_thread_id END "
      + "WHERE (r.from_thread_id = $1 OR r.to_thread_id = $1) AND "
      + "((t.org_id IS NULL AND t.user_id = $2) OR t.org_id IN (SELECT org_id FROM org_members WHERE user_id = $2))"
      + ") x WHERE n <= $3 ORDER BY created_at, id";
    return c.preparedQuery(sql).execute(Tuple.of(threadId, userId, shown + 1)).map(rows -> {
      JsonObject out = new JsonObject().put("continues_from", null).put("continued_by", new JsonArray())
        .put("parent", null).put("children", new JsonArray()).put("related", new JsonArray()).put("has_more", false);
      for (Row r : rows) {
        if (r.getLong("n") > shown) {
          out.put("has_more", true);
          continue;
        }
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

  /**
   * A page of one list of a thread's relations, oldest relation first, visible threads only:
   * {@code children} (child_of it), {@code continued_by} (continues_from it) or {@code related}
   * (relates_to, either direction). Each item is a thread reference plus {@code related_at}.
   */
  Future<JsonObject> relationPage(SqlClient c, String threadId, String userId, String kind, Cursor after, int limit) {
    String edge = switch (kind) {
      case "children" -> "r.to_thread_id = $1 AND r.relation_type = 'child_of'";
      case "continued_by" -> "r.to_thread_id = $1 AND r.relation_type = 'continues_from'";
      default -> "(r.from_thread_id = $1 OR r.to_thread_id = $1) AND r.relation_type = 'relates_to'";
    };
    Tuple params = Tuple.of(threadId, userId, limit + 1);
    String afterClause = "";
    if (after != null) {
      params.addValue(after.at()).addValue(after.id());
      afterClause = " AND (r.created_at, t.id) > ($4, $5)";
    }
    String sql = "SELECT t.id, t.title, t.status, r.created_at AS related_at FROM thread_relations r "
      + "JOIN threads t ON t.id = CASE WHEN r.from_thread_id = $1 THEN r.to_thread_id ELSE r.from_thread_id END "
      + "WHERE " + edge + afterClause + " AND "
      + "((t.org_id IS NULL AND t.user_id = $2) OR t.org_id IN (SELECT org_id FROM org_members WHERE user_id = $2)) "
      + "ORDER BY r.created_at, t.id LIMIT $3";
    Page page = new Page(limit, after);
    return c.preparedQuery(sql).execute(params).map(rows -> page.answer(rows, r -> new JsonObject()
      .put("id", r.getString("id")).put("title", r.getString("title")).put("status", r.getString("status"))
      .put("related_at", Sql.ts(r, "related_at")), "related_at", "id"));
  }

  // ---- contexts ----

  Future<Void> insertContext(SqlClient c, JsonObject ctx, int sizeBytes) {
    return c.preparedQuery("INSERT INTO thread_contexts (id, thread_id, parent_id, title, kind, body, metadata, created_by, "
        + "size_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
      .execute(Tuple.of(ctx.getString("id"), ctx.getString("thread_id"), ctx.getString("parent_id"), ctx.getString("title"),
        ctx.getString("kind"), ctx.getString("body"), ctx.getJsonObject("metadata"), ctx.getString("created_by"), sizeBytes))
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

  /** How many contexts the thread holds and the bytes they take together. */
  record ContextUsage(long count, long bytes) {
  }

  Future<ContextUsage> contextUsage(SqlClient c, String threadId) {
    return c.preparedQuery("SELECT count(*) AS n, COALESCE(sum(size_bytes), 0) AS bytes FROM thread_contexts WHERE thread_id = $1")
      .execute(Tuple.of(threadId)).map(rows -> {
        Row r = rows.iterator().next();
        return new ContextUsage(r.getLong("n"), r.getLong("bytes"));
      });
  }

  /**
   * One page of the thread's contexts in creation order, after {@code after}: at most
   * {@code limit} contexts, and no more once their sizes add up to {@code budgetBytes} (the first
   * always comes). The sizes are summed over the page's rows before any body is read, so the
   * database reads no body beyond the one that crosses the budget. Answers
   * {@code {data, has_more, next_cursor}}; {@code data} is a forest: a context whose parent is on
   * the same page is among that parent's {@code children}, the others are roots of the page (their
   * {@code parent_id} names the parent on an earlier page).
   */
  Future<JsonObject> contextPage(SqlClient c, String threadId, Cursor after, int limit, long budgetBytes) {
    Tuple params = Tuple.of(threadId, limit + 1, budgetBytes);
    String afterClause = "";
    if (after != null) {
      params.addValue(after.at()).addValue(after.id());
      afterClause = " AND (created_at, id) > ($4, $5)";
    }
    String sql = "WITH page AS (SELECT id, created_at, size_bytes FROM thread_contexts WHERE thread_id = $1" + afterClause
      + " ORDER BY created_at, id LIMIT $2), "
      + "sized AS (SELECT id, size_bytes, sum(size_bytes) OVER (ORDER BY created_at, id) AS running, count(*) OVER () AS fetched "
      + "FROM page) "
      + "SELECT c.*, s.running, s.fetched FROM sized s JOIN thread_contexts c ON c.id = s.id "
      + "WHERE s.running - s.size_bytes < $3 ORDER BY c.created_at, c.id";
    return c.preparedQuery(sql).execute(params).map(rows -> {
      List<JsonObject> taken = new ArrayList<>();
      long fetched = 0;
      Row last = null;
      for (Row r : rows) {
        fetched = r.getLong("fetched");
        if (taken.size() == limit || (!taken.isEmpty() && r.getLong("running") > budgetBytes)) {
          break;
        }
        taken.add(contextJson(r).put("children", new JsonArray()));
        last = r;
      }
      boolean more = taken.size() < fetched;
      return new JsonObject().put("data", forest(taken)).put("has_more", more)
        .put("next_cursor", more ? Cursor.encode(last.getOffsetDateTime("created_at"), last.getString("id")) : null);
    });
  }

  /** Links each context under its parent when the parent is among them; the rest are roots, in order. */
  private static JsonArray forest(List<JsonObject> nodes) {
    Map<String, JsonObject> byId = new LinkedHashMap<>();
    for (JsonObject node : nodes) {
      byId.put(node.getString("id"), node);
    }
    JsonArray roots = new JsonArray();
    for (JsonObject node : nodes) {
      JsonObject parent = node.getString("parent_id") == null ? null : byId.get(node.getString("parent_id"));
      if (parent == null) {
        roots.add(node);
      } else {
        parent.getJsonArray("children").add(node);
      }
    }
    return roots;
  }

  /**
   * A context of the thread and the titles of its ancestors, root first: {id, title, body, path}.
   * Null when the context is not in that thread. Walks up at most as deep as a tree may nest.
   */
  Future<JsonObject> contextWithPath(SqlClient c, String threadId, String contextId) {
    return c.preparedQuery("WITH RECURSIVE up(id, parent_id, thread_id, title, depth) AS ("
        + "SELECT id, parent_id, thread_id, title, 1 FROM thread_contexts WHERE id = $1 AND thread_id = $2 UNION ALL "
        + "SELECT c.id, c.parent_id, c.thread_id, c.title, up.depth + 1 FROM thread_contexts c JOIN up ON c.id = up.parent_id "
        + "WHERE up.depth < 100) "
        + "SELECT up.title, up.depth, CASE WHEN up.depth = 1 THEN c.body END AS body FROM up "
        + "JOIN thread_contexts c ON c.id = up.id ORDER BY up.depth DESC")
      .execute(Tuple.of(contextId, threadId)).map(rows -> {
        if (rows.size() == 0) {
          return null;
        }
        JsonArray path = new JsonArray();
        String title = null;
        String body = null;
        for (Row r : rows) {
          path.add(r.getString("title"));
          if (r.getInteger("depth") == 1) {
            title = r.getString("title");
            body = r.getString("body");
          }
        }
        return new JsonObject().put("id", contextId).put("title", title).put("body", body).put("path", path);
      });
  }
}
