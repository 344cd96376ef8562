package dev.chrysalis.forge.workspace;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;

/** SQL for {@code organizations}, {@code org_members} and {@code org_invites}. */
final class OrgStore {

  private static final String ORG_COLUMNS = "o.id, o.name, o.slug, o.owner_id, o.settings, o.created_at, o.updated_at";
  private static final String INVITE_COLUMNS = "i.id, i.org_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at, "
    + "i.expires_at <= now() AS expired";

  private final Pool pool;

  OrgStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  static JsonObject orgJson(Row r) {
    JsonObject j = new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
      .put("slug", r.getString("slug")).put("owner_id", r.getString("owner_id"))
      .put("settings", Sql.json(r, "settings"))
      .put("created_at", Sql.ts(r, "created_at")).put("updated_at", Sql.ts(r, "updated_at"));
    if (r.getColumnIndex("role") >= 0) {
      j.put("role", r.getString("role"));
    }
    return j;
  }

  static JsonObject memberJson(Row r) {
    return new JsonObject().put("user_id", r.getString("user_id")).put("email", r.getString("email"))
      .put("display_name", r.getString("display_name")).put("role", r.getString("role"))
      .put("joined_at", Sql.ts(r, "joined_at"));
  }

  static JsonObject inviteJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("org_id", r.getString("org_id"))
      .put("email", r.getString("email")).put("role", r.getString("role"))
      .put("invited_by", r.getString("invited_by"))
      .put("created_at", Sql.ts(r, "created_at")).put("expires_at", Sql.ts(r, "expires_at"))
      .put("status", Boolean.TRUE.equals(r.getBoolean("expired")) ? "expired" : "pending");
  }

  // ---- organizations ----

  Future<Void> insertOrg(SqlClient c, String id, String name, String slug, String ownerId, JsonObject settings) {
    return c.preparedQuery("INSERT INTO organizations (id, name, slug, owner_id, settings) VALUES ($1, $2, $3, $4, $5)")
      .execute(Tuple.of(id, name, slug, ownerId, settings)).mapEmpty();
  }

  /** The org with the caller's role in it; null when the org does not exist or the caller is no member. */
  Future<JsonObject> orgForMember(SqlClient c, String orgId, String userId) {
    return c.preparedQuery("SELECT " + ORG_COLUMNS + ", m.role FROM organizations o "
        + "JOIN org_members m ON m.org_id = o.id AND m.user_id = $2 WHERE o.id = $1")
      .execute(Tuple.of(orgId, userId)).map(rows -> {
        Row r = Sql.first(rows);
        return r == null ? null : orgJson(r);
      });
  }

  /**
   * Locks the org row for a membership change, then answers the caller's role (null: no member,
   * or no org). The role is read by a second statement: one joined into the locking SELECT would
   * be the version from before the wait, not what the previous lock holder committed.
   */
  Future<Role> lockAndRole(SqlClient c, String orgId, String userId) {
    return c.preparedQuery("SELECT id FROM organizations WHERE id = $1 FOR UPDATE").execute(Tuple.of(orgId))
      .compose(rows -> rows.size() == 0 ? Future.succeededFuture(null) : roleOf(c, orgId, userId));
  }

  Future<Boolean> exists(String orgId) {
    return pool.preparedQuery("SELECT 1 FROM organizations WHERE id = $1").execute(Tuple.of(orgId))
      .map(rows -> rows.size() > 0);
  }

  Future<Role> roleOf(SqlClient c, String orgId, String userId) {
    return c.preparedQuery("SELECT role FROM org_members WHERE org_id = $1 AND user_id = $2")
      .execute(Tuple.of(orgId, userId)).map(rows -> {
        Row r = Sql.first(rows);
        return r == null ? null : Role.of(r.getString("role"));
      });
  }

  Future<JsonObject> listOrgs(String userId, Page page) {
    Sql.Where w = new Sql.Where().and("m.user_id = ?", userId).after(page.after(), "o.created_at", "o.id");
    String sql = "SELECT " + ORG_COLUMNS + ", m.role FROM organizations o JOIN org_members m ON m.org_id = o.id"
      + w.sql() + " ORDER BY o.created_at DESC, o.id DESC" + w.limit(page.limit() + 1);
    return pool.preparedQuery(sql).execute(w.params()).map(rows -> page.answer(rows, OrgStore::orgJson, "created_at", "id"));
  }

  Future<Void> updateOrg(String orgId, String name, JsonObject settings) {
    return pool.preparedQuery("UPDATE organizations SET name = COALESCE($2, name), settings = COALESCE($3, settings), "
        + "updated_at = now() WHERE id = $1")
      .execute(Tuple.of(orgId, name, settings)).mapEmpty();
  }

  /**
   * Deletes the org: members and invites go with it, threads, projects and sessions are detached
   * (ON DELETE SET NULL). A detached project whose slug collides with one of its owner's personal
   * projects gets a suffix first, so the personal slug index cannot make the delete fail.
   */
  Future<Void> deleteOrg(SqlClient c, String orgId) {
    return c.preparedQuery("UPDATE projects p SET slug = left(p.slug, 40) || '-' || right(p.id, 8) "
        + "WHERE p.org_id = $1 AND EXISTS (SELECT 1 FROM projects q WHERE q.org_id IS NULL "
        + "AND q.owner_id = p.owner_id AND q.slug = p.slug)")
      .execute(Tuple.of(orgId))
      .compose(v -> c.preparedQuery("DELETE FROM organizations WHERE id = $1").execute(Tuple.of(orgId)))
      .mapEmpty();
  }

  // ---- members ----

  Future<Boolean> insertMember(SqlClient c, String orgId, String userId, Role role) {
    return c.preparedQuery("INSERT INTO org_members (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
      .execute(Tuple.of(orgId, userId, role.wire())).map(rows -> rows.rowCount() == 1);
  }

  Future<JsonObject> listMembers(String orgId, Page page) {
    // users is the auth package's table; joined read-only for the address book of a member list
    Sql.Where w = new Sql.Where().and("m.org_id = ?", orgId).after(page.after(), "m.joined_at", "m.user_id");
    String sql = "SELECT m.user_id, m.role, m.joined_at, u.email, u.display_name FROM org_members m "
      + "JOIN users u ON u.id = m.user_id" + w.sql() + " ORDER BY m.joined_at DESC, m.user_id DESC" + w.limit(page.limit() + 1);
    return pool.preparedQuery(sql).execute(w.params())
      .map(rows -> page.answer(rows, OrgStore::memberJson, "joined_at", "user_id"));
  }

  Future<Long> ownerCount(SqlClient c, String orgId) {
    return c.preparedQuery("SELECT count(*) AS n FROM org_members WHERE org_id = $1 AND role = 'owner'")
      .execute(Tuple.of(orgId)).map(rows -> rows.iterator().next().getLong("n"));
  }

  Future<Void> setRole(SqlClient c, String orgId, String userId, Role role) {
    return c.preparedQuery("UPDATE org_members SET role = $3 WHERE org_id = $1 AND user_id = $2")
      .execute(Tuple.of(orgId, userId, role.wire())).mapEmpty();
  }

  Future<Void> deleteMember(SqlClient c, String orgId, String userId) {
    return c.preparedQuery("DELETE FROM org_members WHERE org_id = $1 AND user_id = $2")
      .execute(Tuple.of(orgId, userId)).mapEmpty();
  }

  // ---- invites ----

  /**
   * Stores a pending invite with the hash of its mailed secret, or refreshes the pending one for
   * this address (a new secret: the link of the earlier mail stops working); answers its id.
   */
  Future<String> upsertInvite(String id, String orgId, String email, Role role, String invitedBy,
                              OffsetDateTime expiresAt, String tokenHash) {
    return pool.preparedQuery("INSERT INTO org_invites (id, org_id, email, role, invited_by, expires_at, token_hash) "
        + "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, email) WHERE accepted_at IS NULL "
        + "DO UPDATE SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by, created_at = now(), "
        + "expires_at = EXCLUDED.expires_at, token_hash = EXCLUDED.token_hash RETURNING id")
      .execute(Tuple.of(id, orgId, email, role.wire(), invitedBy, expiresAt, tokenHash))
      .map(rows -> rows.iterator().next().getString("id"));
  }

  Future<JsonObject> listInvites(String orgId, Page page) {
    Sql.Where w = new Sql.Where().and("i.org_id = ?", orgId).and("i.accepted_at IS NULL")
      .after(page.after(), "i.created_at", "i.id");
    String sql = "SELECT " + INVITE_COLUMNS + " FROM org_invites i" + w.sql()
      + " ORDER BY i.created_at DESC, i.id DESC" + w.limit(page.limit() + 1);
    return pool.preparedQuery(sql).execute(w.params()).map(rows -> page.answer(rows, OrgStore::inviteJson, "created_at", "id"));
  }

  Future<Boolean> deleteInvite(String orgId, String inviteId) {
    return pool.preparedQuery("DELETE FROM org_invites WHERE id = $1 AND org_id = $2 AND accepted_at IS NULL")
      .execute(Tuple.of(inviteId, orgId)).map(rows -> rows.rowCount() == 1);
  }

  /** A pending (not yet accepted) invite, expired or not, with its {@code token_hash}; null when there is none. */
  Future<JsonObject> pendingInvite(SqlClient c, String inviteId, boolean lock) {
    return c.preparedQuery("SELECT " + INVITE_COLUMNS + ", i.token_hash FROM org_invites i WHERE i.id = $1 "
        + "AND i.accepted_at IS NULL" + (lock ? " FOR UPDATE" : ""))
      .execute(Tuple.of(inviteId)).map(rows -> {
        Row r = Sql.first(rows);
        return r == null ? null : inviteJson(r).put("token_hash", r.getString("token_hash"));
      });
  }

  Future<Void> markAccepted(SqlClient c, String inviteId, String userId) {
    return c.preparedQuery("UPDATE org_invites SET accepted_at = now(), accepted_by = $2 WHERE id = $1")
      .execute(Tuple.of(inviteId, userId)).mapEmpty();
  }
}
