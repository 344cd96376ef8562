package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** SQL for {@code email_tokens}: mailed single-use tokens, kept only as their hash. */
final class EmailTokenStore {

  /** The account and address a consumed token was issued for. */
  record Claimed(String userId, String email) {
  }

  private final Pool pool;

  EmailTokenStore(Pool pool) {
    this.pool = pool;
  }

  Future<Void> insert(String tokenHash, String userId, String purpose, String email, long ttlSeconds) {
    return pool.preparedQuery("INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) "
        + "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))")
      .execute(Tuple.of(tokenHash, userId, purpose, email, (double) ttlSeconds)).mapEmpty();
  }

  /** Marks the token used and answers whom it was for; null when unknown, used, expired or of another purpose. */
  Future<Claimed> consume(String tokenHash, String purpose) {
    return pool.preparedQuery("UPDATE email_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2 "
        + "AND used_at IS NULL AND expires_at > now() RETURNING user_id, email")
      .execute(Tuple.of(tokenHash, purpose))
      .map(rows -> {
        if (rows.size() == 0) {
          return null;
        }
        Row r = rows.iterator().next();
        return new Claimed(r.getString("user_id"), r.getString("email"));
      });
  }

  /** How many tokens of this purpose the user was sent within the last {@code seconds}. */
  Future<Integer> sentWithin(String userId, String purpose, long seconds) {
    return pool.preparedQuery("SELECT count(*)::int AS n FROM email_tokens WHERE user_id = $1 AND purpose = $2 "
        + "AND created_at > now() - make_interval(secs => $3)")
      .execute(Tuple.of(userId, purpose, (double) seconds))
      .map(rows -> rows.iterator().next().getInteger("n"));
  }

  /** A new password or a proven address makes the user's other open tokens of that purpose worthless. */
  Future<Void> revokeOpen(String userId, String purpose) {
    return pool.preparedQuery("UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
      .execute(Tuple.of(userId, purpose)).mapEmpty();
  }
}
