package dev.chrysalis.forge.mail;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** SQL for {@code mail_outbox}. */
final class MailOutboxStore {

  record Row(String id, String recipient, String subject, String body, int attempts) {
  }

  private final Pool pool;

  MailOutboxStore(Pool pool) {
    this.pool = pool;
  }

  Future<Void> enqueue(String id, String recipient, String subject, String body) {
    return pool.preparedQuery("INSERT INTO mail_outbox (id, recipient, subject, body) VALUES ($1, $2, $3, $4)")
      .execute(Tuple.of(id, recipient, subject, body)).mapEmpty();
  }

  /**
   * Claims up to {@code limit} due rows for a lease: rows another relay holds are skipped, and a
   * claimed row is not due again until the lease runs out, so a crashed relay's mail is retried.
   */
  Future<List<Row>> claim(int limit, double leaseSeconds) {
    return pool.preparedQuery(
        "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2) "
          + "WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= now() "
          + "ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
          + "RETURNING id, recipient, subject, body, attempts")
      .execute(Tuple.of(limit, leaseSeconds))
      .map(rows -> {
        List<Row> out = new ArrayList<>();
        rows.forEach(r -> out.add(new Row(r.getString("id"), r.getString("recipient"), r.getString("subject"),
          r.getString("body"), r.getInteger("attempts"))));
        return out;
      });
  }

  Future<Void> sent(String id) {
    return pool.preparedQuery("UPDATE mail_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1")
      .execute(Tuple.of(id)).mapEmpty();
  }

  Future<Void> retryLater(String id, long delayMs, String error) {
    return pool.preparedQuery(
        "UPDATE mail_outbox SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1")
      .execute(Tuple.of(id, delayMs / 1000.0, error)).mapEmpty();
  }

  Future<Void> failed(String id, String error) {
    return pool.preparedQuery("UPDATE mail_outbox SET status = 'failed', last_error = $2 WHERE id = $1")
      .execute(Tuple.of(id, error)).mapEmpty();
  }
}
