package dev.chrysalis.forge.workspace;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** SQL for {@code projects}. */
final class ProjectStore {

  private static final String COLUMNS = "p.id, p.owner_id, p.org_id, p.name, p.slug, p.description, p.settings, "
    + "p.created_at, p.updated_at";

  private final Pool pool;

  ProjectStore(Pool pool) {
    this.pool = pool;
  }

  static JsonObject projectJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("name", r.getString("name")).put("slug", r.getString("slug"))
      .put("description", r.getString("description")).put("org_id", r.getString("org_id"))
      .put("owner_id", r.getString("owner_id")).put("settings", Sql.json(r, "settings"))
      .put("created_at", Sql.ts(r, "created_at")).put("updated_at", Sql.ts(r, "updated_at"));
  }

  /** Inserts the project unless its owner already owns {@code cap} projects (0 = no cap); false when refused. */
  Future<Boolean> insert(String id, String ownerId, String orgId, String name, String slug, String description,
                         JsonObject settings, int cap) {
    return pool.withTransaction(c -> Sql.lockCap(c, "projects", ownerId)
      .compose(v -> c.preparedQuery("INSERT INTO projects (id, owner_id, org_id, name, slug, description, settings) "
          + "SELECT $1, $2, $3, $4, $5, $6, $7 WHERE $8 = 0 OR (SELECT count(*) FROM projects WHERE owner_id = $2) < $8")
        .execute(Tuple.of(id, ownerId, orgId, name, slug, description, settings, cap)))
      .map(rows -> rows.rowCount() > 0));
  }

  Future<Access> access(String projectId, String userId) {
    return pool.preparedQuery("SELECT " + COLUMNS + ", m.role FROM projects p "
        + "LEFT JOIN org_members m ON m.org_id = p.org_id AND m.user_id = $2 WHERE p.id = $1")
      .execute(Tuple.of(projectId, userId)).map(rows -> {
        Row r = Sql.first(rows);
        return r == null ? Access.NONE : Access.of(projectJson(r), r.getString("owner_id"), userId, r.getString("role"));
      });
  }

  /** Projects the caller can see (personal ones and those of its orgs), or one org's. */
  Future<JsonObject> list(String userId, String orgId, Page page) {
    Sql.Where w = new Sql.Where();
    if (orgId != null) {
      w.and("p.org_id = ?", orgId);
    } else {
      w.and("((p.org_id IS NULL AND p.owner_id = ?) OR p.org_id IN (SELECT org_id FROM org_members WHERE user_id = ?))",
        userId, userId);
    }
    w.after(page.after(), "p.created_at", "p.id");
    String sql = "SELECT " + COLUMNS + " FROM projects p" + w.sql() + " ORDER BY p.created_at DESC, p.id DESC"
      + w.limit(page.limit() + 1);
    return pool.preparedQuery(sql).execute(w.params()).map(rows -> page.answer(rows, ProjectStore::projectJson, "created_at", "id"));
  }
}
