package dev.chrysalis.forge.vault;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** All SQL on {@code provider_keys}. Owners are ("user", user id) or ("org", org id). */
public final class ProviderKeyStore {

  public static final String USER = "user";
  public static final String ORG = "org";

  private static final String COLUMNS = "id, user_id, org_id, provider, encrypted_key, key_version, key_hint, "
    + "base_url, created_at, validated_at, is_valid, invalid_reason";

  private final Pool pool;

  public ProviderKeyStore(Pool pool) {
    this.pool = pool;
  }

  /** One stored key. {@code encryptedKey} is ciphertext; nothing here is ever plaintext. */
  public record KeyRow(String id, String userId, String orgId, String provider, String encryptedKey, int keyVersion,
                       String keyHint, String baseUrl, OffsetDateTime createdAt, OffsetDateTime validatedAt,
                       boolean isValid, String invalidReason) {

    public String ownerKind() {
      return orgId == null ? USER : ORG;
    }

    public String ownerId() {
      return orgId == null ? userId : orgId;
    }

    public String aad() {
      return VaultCrypto.aad(ownerKind(), ownerId(), provider, id);
    }

    /** What the API shows: never the key, never the ciphertext. */
    public JsonObject toPublicJson() {
      return new JsonObject()
        .put("id", id)
        .put("provider", provider)
        .put("org_id", orgId)
        .put("key_hint", keyHint)
        .put("base_url", baseUrl)
        .put("created_at", createdAt == null ? null : createdAt.toInstant().toString())
        .put("validated_at", validatedAt == null ? null : validatedAt.toInstant().toString())
        .put("is_valid", isValid);
    }
  }

  /** A new key, replacing the owner's previous one for that provider (the row id changes with it). */
  public Future<Void> upsert(KeyRow row, String createdBy) {
    String target = row.orgId() == null ? "(user_id, provider) WHERE org_id IS NULL" : "(org_id, provider) WHERE org_id IS NOT NULL";
    String sql = "INSERT INTO provider_keys (id, user_id, org_id, provider, encrypted_key, key_version, key_hint, base_url, "
      + "created_by, validated_at, is_valid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true) "
      + "ON CONFLICT " + target + " DO UPDATE SET id = EXCLUDED.id, encrypted_key = EXCLUDED.encrypted_key, "
      + "key_version = EXCLUDED.key_version, key_hint = EXCLUDED.key_hint, base_url = EXCLUDED.base_url, "
      + "created_by = EXCLUDED.created_by, created_at = now(), updated_at = now(), validated_at = EXCLUDED.validated_at, "
      + "is_valid = true, invalid_reason = NULL";
    return pool.preparedQuery(sql).execute(Tuple.from(new Object[] {row.id(), row.userId(), row.orgId(), row.provider(),
      row.encryptedKey(), row.keyVersion(), row.keyHint(), row.baseUrl(), createdBy, row.validatedAt()})).mapEmpty();
  }

  public Future<KeyRow> find(String ownerKind, String ownerId, String provider) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM provider_keys WHERE " + ownerColumn(ownerKind) + " = $1 AND "
        + (USER.equals(ownerKind) ? "org_id IS NULL" : "true") + " AND provider = $2")
      .execute(Tuple.of(ownerId, provider))
      .map(rs -> rs.size() == 0 ? null : toRow(rs.iterator().next()));
  }

  public Future<List<KeyRow>> list(String ownerKind, String ownerId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM provider_keys WHERE " + ownerColumn(ownerKind) + " = $1 AND "
        + (USER.equals(ownerKind) ? "org_id IS NULL" : "true") + " ORDER BY provider")
      .execute(Tuple.of(ownerId))
      .map(ProviderKeyStore::toRows);
  }

  /** The id of the deleted row, or null when there was none. */
  public Future<String> delete(String ownerKind, String ownerId, String provider) {
    return pool.preparedQuery("DELETE FROM provider_keys WHERE " + ownerColumn(ownerKind) + " = $1 AND "
        + (USER.equals(ownerKind) ? "org_id IS NULL" : "true") + " AND provider = $2 RETURNING id")
      .execute(Tuple.of(ownerId, provider))
      .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getString(0));
  }

  /** Removes every key of a deleted organization; returns the providers that had one. */
  public Future<List<String>> deleteOrg(String orgId) {
    return pool.preparedQuery("DELETE FROM provider_keys WHERE org_id = $1 RETURNING provider")
      .execute(Tuple.of(orgId))
      .map(rs -> {
        List<String> out = new ArrayList<>();
        rs.forEach(r -> out.add(r.getString(0)));
        return out;
      });
  }

  /** The outcome of a live check; returns the time recorded. */
  public Future<OffsetDateTime> recordValidation(String id, boolean valid) {
    return pool.preparedQuery("UPDATE provider_keys SET validated_at = now(), is_valid = $2, "
        + "invalid_reason = CASE WHEN $2 THEN NULL ELSE 'rejected_by_provider' END WHERE id = $1 RETURNING validated_at")
      .execute(Tuple.of(id, valid))
      .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getOffsetDateTime(0));
  }

  /** A row whose ciphertext no configured key opens. */
  public Future<Void> markUndecryptable(String id) {
    return pool.preparedQuery("UPDATE provider_keys SET is_valid = false, invalid_reason = 'undecryptable', "
        + "updated_at = now() WHERE id = $1")
      .execute(Tuple.of(id)).mapEmpty();
  }

  /** Rows not yet on {@code currentVersion}, after {@code afterId} in id order. */
  public Future<List<KeyRow>> staleBatch(int currentVersion, String afterId, int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM provider_keys WHERE key_version <> $1 AND id > $2 "
        + "ORDER BY id LIMIT $3")
      .execute(Tuple.of(currentVersion, afterId, limit))
      .map(ProviderKeyStore::toRows);
  }

  /** Swaps the ciphertext only if the row still holds the one that was read (a concurrent replace wins). */
  public Future<Boolean> rewrap(String id, String oldCiphertext, String newCiphertext, int newVersion) {
    return pool.preparedQuery("UPDATE provider_keys SET encrypted_key = $3, key_version = $4, updated_at = now() "
        + "WHERE id = $1 AND encrypted_key = $2")
      .execute(Tuple.of(id, oldCiphertext, newCiphertext, newVersion))
      .map(rs -> rs.rowCount() == 1);
  }

  /** How many rows each key version holds: {"1": 3, "2": 10}. */
  public Future<JsonObject> countByVersion() {
    return pool.query("SELECT key_version, count(*) FROM provider_keys GROUP BY key_version ORDER BY key_version")
      .execute()
      .map(rs -> {
        JsonObject out = new JsonObject();
        rs.forEach(r -> out.put(String.valueOf(r.getInteger(0)), r.getLong(1)));
        return out;
      });
  }

  private static String ownerColumn(String ownerKind) {
    return switch (ownerKind) {
      case USER -> "user_id";
      case ORG -> "org_id";
      default -> throw new IllegalArgumentException("owner kind");
    };
  }

  private static List<KeyRow> toRows(RowSet<Row> rs) {
    List<KeyRow> out = new ArrayList<>(rs.size());
    rs.forEach(r -> out.add(toRow(r)));
    return out;
  }

  private static KeyRow toRow(Row r) {
    return new KeyRow(r.getString("id"), r.getString("user_id"), r.getString("org_id"), r.getString("provider"),
      r.getString("encrypted_key"), r.getInteger("key_version"), r.getString("key_hint"), r.getString("base_url"),
      r.getOffsetDateTime("created_at"), r.getOffsetDateTime("validated_at"), r.getBoolean("is_valid"),
      r.getString("invalid_reason"));
  }
}
