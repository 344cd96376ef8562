package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** SQL for {@code api_keys}. The key itself is never stored, only its peppered hash. */
final class ApiKeyStore {

  record KeyRow(String id, String userId, String email, String name, String prefix, String keyHash,
                List<String> scopes, OffsetDateTime createdAt, OffsetDateTime lastUsedAt, OffsetDateTime expiresAt) {

    JsonObject publicJson() {
      return new JsonObject().put("id", id).put("name", name).put("prefix", prefix)
        .put("scopes", new JsonArray(new ArrayList<>(scopes)))
        .put("created_at", createdAt.toInstant().toString())
        .put("last_used", lastUsedAt == null ? null : lastUsedAt.toInstant().toString())
        .put("expires_at", expiresAt == null ? null : expiresAt.toInstant().toString());
    }
  }

  private static final String COLUMNS =
    "k.id, k.user_id, u.email, k.name, k.prefix, k.key_hash, k.scopes, k.created_at, k.last_used_at, k.expires_at";

  private static final String lockName = "forge.cap.api_keys";

  private final Pool pool;

  ApiKeyStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts the key unless the user already holds {@code cap} keys (0 = no cap); false when refused.
   * The count runs after a per-user lock taken in the same transaction, so concurrent creations
   * see each other's rows.
   */
  Future<Boolean> insert(String id, String userId, String name, String prefix, String hash, List<String> scopes,
                         OffsetDateTime expiresAt, int cap) {
    return pool.withTransaction(c -> c.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))")
      .execute(Tuple.of(lockName, userId))
      .compose(v -> c.preparedQuery("INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, expires_at) "
          + "SELECT $1, $2, $3, $4, $5, $6, $7 WHERE $8 = 0 OR (SELECT count(*) FROM api_keys WHERE user_id = $2) < $8")
        .execute(Tuple.of(id, userId, name, prefix, hash, scopes.toArray(new String[0]), expiresAt, cap)))
      .map(rows -> rows.rowCount() > 0));
  }

  /** One page of the user's keys, newest first: at most {@code limit} rows after the (created_at, id) cursor. */
  Future<List<KeyRow>> byUser(String userId, OffsetDateTime afterCreated, String afterId, int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM api_keys k JOIN users u ON u.id = k.user_id "
        + "WHERE k.user_id = $1 AND ($2::timestamptz IS NULL OR (k.created_at, k.id) < ($2, $3)) "
        + "ORDER BY k.created_at DESC, k.id DESC LIMIT $4")
      .execute(Tuple.of(userId, afterCreated, afterId, limit)).map(rows -> {
        List<KeyRow> out = new ArrayList<>();
        rows.forEach(r -> out.add(toRow(r)));
        return out;
      });
  }

  /**
   * Keys with this lookup prefix (almost always zero or one). Whether the owner is suspended is
   * judged on every request by the HTTP layer's session check, so a suspended owner's key is
   * answered 403 {@code account_suspended} rather than remembered as unknown.
   */
  Future<List<KeyRow>> byPrefix(String prefix) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM api_keys k JOIN users u ON u.id = k.user_id "
        + "WHERE k.prefix = $1")
      .execute(Tuple.of(prefix)).map(rows -> {
        List<KeyRow> out = new ArrayList<>();
        rows.forEach(r -> out.add(toRow(r)));
        return out;
      });
  }

  /** Deletes the user's key; true when a row was removed. */
  Future<Boolean> delete(String userId, String keyId) {
    return pool.preparedQuery("DELETE FROM api_keys WHERE id = $1 AND user_id = $2").execute(Tuple.of(keyId, userId))
      .map(rows -> rows.rowCount() > 0);
  }

  Future<Void> touch(String keyId) {
    return pool.preparedQuery("UPDATE api_keys SET last_used_at = now() WHERE id = $1").execute(Tuple.of(keyId))
      .mapEmpty();
  }

  private static KeyRow toRow(Row r) {
    return new KeyRow(r.getString("id"), r.getString("user_id"), r.getString("email"), r.getString("name"),
      r.getString("prefix"), r.getString("key_hash"), List.of(r.getArrayOfStrings("scopes")),
      r.getOffsetDateTime("created_at"), r.getOffsetDateTime("last_used_at"), r.getOffsetDateTime("expires_at"));
  }
}
