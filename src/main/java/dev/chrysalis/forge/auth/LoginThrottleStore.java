package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * SQL for {@code login_throttle}: failed logins per (email, client network). After
 * {@code freeAttempts} failures each further one blocks that pair for a delay that doubles (1 s,
 * 2 s, 4 s, … up to {@code maxDelaySeconds}); the count starts over after a day without failures.
 */
final class LoginThrottleStore {

  /** A day without failures forgets the count; rows that old are swept. */
  static final long FORGET_AFTER_SECONDS = 86_400;

  private final Pool pool;

  LoginThrottleStore(Pool pool) {
    this.pool = pool;
  }

  /** Seconds this pair must still wait, 0 when none. */
  Future<Long> blockedForSeconds(String email, String network) {
    return pool.preparedQuery(
        "SELECT CEIL(EXTRACT(EPOCH FROM (blocked_until - now())))::bigint AS s FROM login_throttle "
          + "WHERE email = $1 AND network = $2 AND blocked_until > now()")
      .execute(Tuple.of(email, network))
      .map(rows -> rows.size() == 0 ? 0L : Math.max(1L, rows.iterator().next().getLong("s")));
  }

  /** Counts one failure and sets the block it earns (none within the free attempts). */
  Future<Void> recordFailure(String email, String network, int freeAttempts, long maxDelaySeconds) {
    String count = "CASE WHEN login_throttle.last_failed_at < now() - make_interval(secs => $5) THEN 1 "
      + "ELSE login_throttle.failures + 1 END";
    return pool.preparedQuery(
        "INSERT INTO login_throttle (email, network, failures, last_failed_at, blocked_until) VALUES ($1, $2, 1, now(), "
          + block("1") + ") ON CONFLICT (email, network) DO UPDATE SET failures = " + count
          + ", last_failed_at = now(), blocked_until = " + block(count))
      .execute(Tuple.of(email, network, freeAttempts, (double) maxDelaySeconds, (double) FORGET_AFTER_SECONDS))
      .mapEmpty();
  }

  /** The block after the {@code failures}-th failure: 2^(failures - free - 1) seconds, capped. */
  private static String block(String failures) {
    return "CASE WHEN (" + failures + ") > $3 THEN now() + make_interval(secs => "
      + "LEAST($4, power(2, LEAST((" + failures + ") - $3 - 1, 40)))) END";
  }

  Future<Void> clear(String email, String network) {
    return pool.preparedQuery("DELETE FROM login_throttle WHERE email = $1 AND network = $2")
      .execute(Tuple.of(email, network)).mapEmpty();
  }

  /** Forgets every network's failures for this email (after the owner proved the mailbox). */
  Future<Void> clearAll(String email) {
    return pool.preparedQuery("DELETE FROM login_throttle WHERE email = $1").execute(Tuple.of(email)).mapEmpty();
  }

  Future<Integer> sweep() {
    return pool.preparedQuery("DELETE FROM login_throttle WHERE last_failed_at < now() - make_interval(secs => $1)")
      .execute(Tuple.of((double) FORGET_AFTER_SECONDS)).map(rows -> rows.rowCount());
  }
}
