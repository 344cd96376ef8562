package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import io.vertx.sqlclient.RowSet;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** SQL for the usage ledger ({@code usage_events}) and its daily aggregates ({@code usage_daily}). */
final class UsageStore {

  private final Pool pool;
  private final OutboxStore outbox;

  UsageStore(Pool pool, OutboxStore outbox) {
    this.pool = pool;
    this.outbox = outbox;
  }

  /** One event to record and, in Autumn mode, its outbox row. */
  record Entry(UsageEvent event, OutboxStore.Row track) {
  }

  /**
   * Records a batch in one transaction: appends the events, bumps their daily aggregates (summed
   * per row first, so a busy user's row is updated once per batch), settles their reservations
   * and writes the outbox rows of the new ones. The answer says, per entry, whether it was new
   * (false = already recorded, nothing changed for it). Rows are touched in key order so
   * concurrent batches from several nodes cannot deadlock.
   */
  Future<boolean[]> record(List<Entry> entries) {
    List<Tuple> rows = new ArrayList<>(entries.size());
    for (Entry en : entries) {
      UsageEvent e = en.event();
      rows.add(Tuple.from(new Object[] {e.userId(), e.id(), e.orgId(), e.sessionId(), e.model(), e.provider(),
        e.inputTokens(), e.outputTokens(), e.costUsd(), e.byok(), e.estimated(), e.providerKeyId(), e.reservationId(),
        e.day(), e.requestedModel(), e.clientRequestId()}));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(
          "INSERT INTO usage_events (user_id, id, org_id, session_id, model, provider, input_tokens, output_tokens, "
            + "cost_usd, is_byok, estimated, provider_key_id, reservation_id, day, requested_model, client_request_id) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::numeric, $10, $11, $12, $13, $14, $15, $16) "
            + "ON CONFLICT (user_id, id) DO NOTHING RETURNING id")
        .executeBatch(rows)
        .compose(result -> {
          boolean[] fresh = new boolean[entries.size()];
          List<Entry> inserted = new ArrayList<>();
          RowSet<Row> rs = result;
          for (int i = 0; i < fresh.length; i++, rs = rs.next()) {
            fresh[i] = rs.size() > 0;
            if (fresh[i]) {
              inserted.add(entries.get(i));
            }
          }
          if (inserted.isEmpty()) {
            return Future.succeededFuture(fresh);
          }
          return aggregate(conn, inserted)
            .compose(v -> settle(conn, inserted))
            .compose(v -> track(conn, inserted))
            .map(v -> fresh);
        }));
  }

  private static Future<Void> aggregate(SqlConnection conn, List<Entry> inserted) {
    Map<String, long[]> sums = new TreeMap<>();
    Map<String, BigDecimal> costs = new HashMap<>();
    Map<String, UsageEvent> sample = new HashMap<>();
    for (Entry en : inserted) {
      UsageEvent e = en.event();
      String key = e.userId() + '\u0000' + (e.orgId() == null ? "" : e.orgId()) + '\u0000' + e.day() + '\u0000' + e.model();
      long[] sum = sums.computeIfAbsent(key, k -> new long[3]);
      sum[0]++;
      sum[1] += e.inputTokens();
      sum[2] += e.outputTokens();
      costs.merge(key, e.costUsd(), BigDecimal::add);
      sample.putIfAbsent(key, e);
    }
    List<Tuple> rows = new ArrayList<>(sums.size());
    sums.forEach((key, sum) -> {
      UsageEvent e = sample.get(key);
      rows.add(Tuple.of(e.userId(), e.orgId() == null ? "" : e.orgId(), e.day(), e.model(), sum[0], sum[1], sum[2],
        costs.get(key)));
    });
    return conn.preparedQuery(
        "INSERT INTO usage_daily (user_id, org_key, day, model, messages, input_tokens, output_tokens, cost_usd) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric) "
          + "ON CONFLICT (user_id, org_key, day, model) DO UPDATE SET messages = usage_daily.messages + $5, "
          + "input_tokens = usage_daily.input_tokens + $6, output_tokens = usage_daily.output_tokens + $7, "
          + "cost_usd = usage_daily.cost_usd + $8::numeric")
      .executeBatch(rows)
      .mapEmpty();
  }

  private static Future<Void> settle(SqlConnection conn, List<Entry> inserted) {
    List<Tuple> ids = inserted.stream().map(en -> en.event().reservationId()).filter(id -> id != null).sorted()
      .map(Tuple::of).toList();
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
        "UPDATE billing_reservations SET status = 'consumed', settled_at = now() WHERE id = $1 AND status = 'reserved'")
      .executeBatch(ids).mapEmpty();
  }

  private Future<Void> track(SqlConnection conn, List<Entry> inserted) {
    List<OutboxStore.Row> rows = inserted.stream().map(Entry::track).filter(t -> t != null).toList();
    return rows.isEmpty() ? Future.succeededFuture() : outbox.insertAll(conn, rows);
  }

  /** Messages recorded for the subject on the day (how unlimited plans count, as they reserve nothing). */
  Future<Integer> messagesOn(Subject s, LocalDate day) {
    String where = s.isOrg() ? "org_key = $1" : "user_id = $1 AND org_key = ''";
    return pool.preparedQuery("SELECT COALESCE(SUM(messages), 0)::int AS n FROM usage_daily WHERE " + where
        + " AND day = $2")
      .execute(Tuple.of(s.id(), day))
      .map(rows -> rows.iterator().next().getInteger("n"));
  }

  /**
   * Totals over [from, to] for a user's personal use ({@code orgId} null) or for everything done
   * in an org: {messages, input_tokens, output_tokens, tokens, cost_usd, by_model:[…], by_day:[…]}.
   * {@code by_day} has one entry per day and model that saw use, ordered by day then model.
   */
  Future<JsonObject> summary(String userId, String orgId, LocalDate from, LocalDate to) {
    String where = orgId == null ? "user_id = $1 AND org_key = ''" : "org_key = $1";
    return pool.preparedQuery(
        "SELECT day, model, SUM(messages)::bigint AS messages, SUM(input_tokens)::bigint AS input_tokens, "
          + "SUM(output_tokens)::bigint AS output_tokens, SUM(cost_usd)::text AS cost_usd FROM usage_daily "
          + "WHERE " + where + " AND day BETWEEN $2 AND $3 GROUP BY day, model ORDER BY day, model")
      .execute(Tuple.of(orgId == null ? userId : orgId, from, to))
      .map(rows -> {
        Map<String, Totals> models = new TreeMap<>();
        Totals all = new Totals();
        JsonArray byDay = new JsonArray();
        for (Row r : rows) {
          Totals day = new Totals();
          day.add(r.getLong("messages"), r.getLong("input_tokens"), r.getLong("output_tokens"),
            new BigDecimal(r.getString("cost_usd")));
          String model = r.getString("model");
          models.computeIfAbsent(model, m -> new Totals()).add(day);
          all.add(day);
          byDay.add(day.json().put("day", r.getLocalDate("day").toString()).put("model", model));
        }
        JsonArray byModel = new JsonArray();
        models.forEach((model, t) -> byModel.add(t.json().put("model", model)));
        return all.json().put("by_model", byModel).put("by_day", byDay);
      });
  }

  /** Running sums of one slice of the ledger. */
  private static final class Totals {
    private long messages;
    private long in;
    private long out;
    private BigDecimal cost = BigDecimal.ZERO;

    void add(long messages, long in, long out, BigDecimal cost) {
      this.messages += messages;
      this.in += in;
      this.out += out;
      this.cost = this.cost.add(cost);
    }

    void add(Totals t) {
      add(t.messages, t.in, t.out, t.cost);
    }

    JsonObject json() {
      return new JsonObject().put("messages", messages).put("input_tokens", in).put("output_tokens", out)
        .put("tokens", in + out).put("cost_usd", cost.doubleValue());
    }
  }
}
