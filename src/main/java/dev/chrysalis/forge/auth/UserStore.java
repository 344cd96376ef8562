package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** SQL for {@code users} and {@code login_failures}. */
final class UserStore {

  record UserRow(String id, String email, String passwordHash, String displayName, String avatarUrl,
                 String status, OffsetDateTime createdAt, boolean emailVerified) {

    JsonObject publicJson() {
      return new JsonObject().put("id", id).put("email", email).put("email_verified", emailVerified)
        .put("display_name", displayName)
        .put("avatar_url", avatarUrl).put("created_at", createdAt.toInstant().toString());
    }
  }

  private static final String COLUMNS = "id, email, password_hash, display_name, avatar_url, status, created_at, email_verified";

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

  /** Seconds left on a lockout for this email, 0 when none. */
  Future<Long> lockedForSeconds(String email) {
    return pool.preparedQuery(
        "SELECT CEIL(EXTRACT(EPOCH FROM (locked_until - now())))::bigint AS s FROM login_failures "
          + "WHERE email = $1 AND locked_until > now()")
      .execute(Tuple.of(email))
      .map(rows -> rows.size() == 0 ? 0L : Math.max(1L, rows.iterator().next().getLong("s")));
  }

  /** Counts one more consecutive failure; locks the email once the threshold is reached. */
  Future<Void> recordFailure(String email, int threshold, long lockoutSeconds) {
    return pool.preparedQuery(
        "INSERT INTO login_failures (email, failures, last_failed_at, locked_until) VALUES ($1, 1, now(), "
          + "CASE WHEN 1 >= $2 THEN now() + make_interval(secs => $3) END) "
          + "ON CONFLICT (email) DO UPDATE SET failures = login_failures.failures + 1, last_failed_at = now(), "
          + "locked_until = CASE WHEN login_failures.failures + 1 >= $2 THEN now() + make_interval(secs => $3) END")
      .execute(Tuple.of(email, threshold, (double) lockoutSeconds)).mapEmpty();
  }

  Future<Void> clearFailures(String email) {
    return pool.preparedQuery("DELETE FROM login_failures WHERE email = $1").execute(Tuple.of(email)).mapEmpty();
  }

  private static UserRow first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    return new UserRow(r.getString("id"), r.getString("email"), r.getString("password_hash"),
      r.getString("display_name"), r.getString("avatar_url"), r.getString("status"),
      r.getOffsetDateTime("created_at").withOffsetSameInstant(ZoneOffset.UTC), r.getBoolean("email_verified"));
  }
}
