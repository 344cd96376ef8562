package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;

/** SQL for the usage ledger ({@code usage_events}) and its daily aggregates ({@code usage_daily}). */
final class UsageStore {

  private final Pool pool;
  private final OutboxStore outbox;

  UsageStore(Pool pool, OutboxStore outbox) {
    this.pool = pool;
    this.outbox = outbox;
  }

  /**
   * Appends the event, bumps its daily aggregate, settles its reservation and (when {@code track}
   * is not null) writes the outbox row, all in one transaction. False when the event was already
   * recorded (nothing changes then).
   */
  Future<Boolean> record(UsageEvent e, OutboxStore.Row track) {
    return pool.withTransaction(conn -> conn.preparedQuery(
          "INSERT INTO usage_events (user_id, id, org_id, session_id, model, provider, input_tokens, output_tokens, "
            + "cost_usd, is_byok, estimated, provider_key_id, reservation_id, day) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::numeric, $10, $11, $12, $13, $14) "
            + "ON CONFLICT (user_id, id) DO NOTHING RETURNING id")
        .execute(Tuple.from(new Object[] {e.userId(), e.id(), e.orgId(), e.sessionId(), e.model(), e.provider(),
          e.inputTokens(), e.outputTokens(), e.costUsd(), e.byok(), e.estimated(), e.providerKeyId(),
          e.reservationId(), e.day()}))
        .compose(rows -> rows.size() == 0
          ? Future.succeededFuture(false)
          : aggregate(conn, e)
            .compose(v -> settle(conn, e.reservationId()))
            .compose(v -> track == null ? Future.succeededFuture() : outbox.insert(conn, track))
            .map(v -> true)));
  }

  private static Future<Void> aggregate(SqlConnection conn, UsageEvent e) {
    return conn.preparedQuery(
        "INSERT INTO usage_daily (user_id, org_key, day, model, messages, input_tokens, output_tokens, cost_usd) "
          + "VALUES ($1, $2, $3, $4, 1, $5, $6, $7::numeric) "
          + "ON CONFLICT (user_id, org_key, day, model) DO UPDATE SET messages = usage_daily.messages + 1, "
          + "input_tokens = usage_daily.input_tokens + $5, output_tokens = usage_daily.output_tokens + $6, "
          + "cost_usd = usage_daily.cost_usd + $7::numeric")
      .execute(Tuple.of(e.userId(), e.orgId() == null ? "" : e.orgId(), e.day(), e.model(), e.inputTokens(),
        e.outputTokens(), e.costUsd()))
      .mapEmpty();
  }

  private static Future<Void> settle(SqlConnection conn, String reservationId) {
    if (reservationId == null) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
        "UPDATE billing_reservations SET status = 'consumed', settled_at = now() WHERE id = $1 AND status = 'reserved'")
      .execute(Tuple.of(reservationId)).mapEmpty();
  }

  /**
   * Totals over [from, to] for a user's personal use ({@code orgId} null) or for everything done
   * in an org: {messages, input_tokens, output_tokens, tokens, cost_usd, by_model:[…]}.
   */
  Future<JsonObject> summary(String userId, String orgId, LocalDate from, LocalDate to) {
    String where = orgId == null ? "user_id = $1 AND org_key = ''" : "org_key = $1";
    return pool.preparedQuery(
        "SELECT model, SUM(messages)::bigint AS messages, SUM(input_tokens)::bigint AS input_tokens, "
          + "SUM(output_tokens)::bigint AS output_tokens, SUM(cost_usd)::text AS cost_usd FROM usage_daily "
          + "WHERE " + where + " AND day BETWEEN $2 AND $3 GROUP BY model ORDER BY model")
      .execute(Tuple.of(orgId == null ? userId : orgId, from, to))
      .map(rows -> {
        long messages = 0;
        long in = 0;
        long out = 0;
        java.math.BigDecimal cost = java.math.BigDecimal.ZERO;
        JsonArray byModel = new JsonArray();
        for (Row r : rows) {
          java.math.BigDecimal c = new java.math.BigDecimal(r.getString("cost_usd"));
          messages += r.getLong("messages");
          in += r.getLong("input_tokens");
          out += r.getLong("output_tokens");
          cost = cost.add(c);
          byModel.add(new JsonObject().put("model", r.getString("model")).put("messages", r.getLong("messages"))
            .put("input_tokens", r.getLong("input_tokens")).put("output_tokens", r.getLong("output_tokens"))
            .put("tokens", r.getLong("input_tokens") + r.getLong("output_tokens")).put("cost_usd", c.doubleValue()));
        }
        return new JsonObject().put("messages", messages).put("input_tokens", in).put("output_tokens", out)
          .put("tokens", in + out).put("cost_usd", cost.doubleValue()).put("by_model", byModel);
      });
  }
}
