package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** SQL for {@code users}. */
final class UserStore {

  record UserRow(String id, String email, String passwordHash, String displayName, String avatarUrl,
                 String status, OffsetDateTime createdAt, boolean emailVerified, long sessionVersion) {

    JsonObject publicJson() {
      return new JsonObject().put("id", id).put("email", email).put("email_verified", emailVerified)
        .put("display_name", displayName)
        .put("avatar_url", avatarUrl).put("created_at", createdAt.toInstant().toString());
    }
  }

  private static final String COLUMNS = "id, email, password_hash, display_name, avatar_url, status, created_at, email_verified, session_version";

  private final Pool pool;

  UserStore(Pool pool) {
    this.pool = pool;
  }

  Future<Void> insert(String id, String email, String passwordHash, String displayName) {
    return pool.preparedQuery("INSERT INTO users (id, email, password_hash, display_name) VALUES ($1, $2, $3, $4)")
      .execute(Tuple.of(id, email, passwordHash, displayName)).mapEmpty();
  }

  Future<UserRow> byEmail(String email) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE email = $1").execute(Tuple.of(email))
      .map(UserStore::first);
  }

  Future<UserRow> byId(String id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = $1").execute(Tuple.of(id))
      .map(UserStore::first);
  }

  Future<Void> recordLogin(String id, String newPasswordHash) {
    if (newPasswordHash != null) {
      return pool.preparedQuery("UPDATE users SET last_login_at = now(), password_hash = $2, updated_at = now() WHERE id = $1")
        .execute(Tuple.of(id, newPasswordHash)).mapEmpty();
    }
    return pool.preparedQuery("UPDATE users SET last_login_at = now() WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** Marks the address proven, only while it is still the account's address; false when it is not. */
  Future<Boolean> markVerified(String id, String email) {
    return pool.preparedQuery("UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 AND email = $2")
      .execute(Tuple.of(id, email)).map(rows -> rows.rowCount() == 1);
  }

  Future<Void> setPassword(String id, String passwordHash) {
    return pool.preparedQuery("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1")
      .execute(Tuple.of(id, passwordHash)).mapEmpty();
  }

  /** {user_id, session_version, status}, or null when there is no such user. */
  Future<JsonObject> sessionState(String id) {
    return pool.preparedQuery("SELECT id, session_version, status FROM users WHERE id = $1").execute(Tuple.of(id))
      .map(UserStore::sessionJson);
  }

  /**
   * Ends every session of the user (raises the session version), setting the status as well when
   * {@code status} is not null; → the new {user_id, session_version, status}, null when no such user.
   */
  Future<JsonObject> endSessions(String id, String status) {
    return pool.preparedQuery("UPDATE users SET session_version = session_version + 1, "
        + "status = COALESCE($2, status), updated_at = now() WHERE id = $1 RETURNING id, session_version, status")
      .execute(Tuple.of(id, status)).map(UserStore::sessionJson);
  }

  private static JsonObject sessionJson(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new JsonObject().put("user_id", r.getString("id")).put("session_version", r.getLong("session_version"))
      .put("status", r.getString("status"));
  }

  private static UserRow first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new UserRow(r.getString("id"), r.getString("email"), r.getString("password_hash"),
      r.getString("display_name"), r.getString("avatar_url"), r.getString("status"),
      r.getOffsetDateTime("created_at").withOffsetSameInstant(ZoneOffset.UTC), r.getBoolean("email_verified"),
      r.getLong("session_version"));
  }
}
