package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.store.DatabaseTarget;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL of billing on its own: the conditional upsert, releases, the ledger and outbox claims. */
class BillingStoreTest {

  private static Vertx vertx;
  private static Pool pool;
  private static BillingStore store;
  private static OutboxStore outbox;
  private static UsageStore usage;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    DatabaseTarget target = DatabaseTarget.fromUrl(TestDatabase.freshDatabaseUrl());
    Bus.await(Migrations.run(vertx, target));
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(20)).connectingTo(target.connectOptions()).using(vertx).build();
    store = new BillingStore(pool, java.time.Clock.systemUTC());
    outbox = new OutboxStore(pool);
    usage = new UsageStore(pool, outbox);
  }

  @AfterAll
  static void stop() {
    pool.close();
    vertx.close();
  }

  private static Subject someone() {
    return Subject.user("usr_" + UUID.randomUUID());
  }

  @Test
  void theConditionalUpsertNeverExceedsTheLimitUnderConcurrency() {
    Subject s = someone();
    LocalDate day = LocalDate.of(2026, 1, 2);
    List<Future<BillingStore.Reserved>> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      all.add(store.reserve(s, day, 10, "rsv_" + UUID.randomUUID(), "req_" + i, s.id()));
    }
    Bus.await(Future.join(all));
    long granted = all.stream().filter(f -> f.result() != null).count();
    assertThat(granted).isEqualTo(10);
    Set<Integer> counts = new HashSet<>();
    all.stream().filter(f -> f.result() != null).forEach(f -> counts.add(f.result().used()));
    assertThat(counts).hasSize(10).allMatch(n -> n >= 1 && n <= 10);
    assertThat(Bus.await(store.used(s, day))).isEqualTo(10);
    assertThat(Bus.await(store.used(s, day.plusDays(1)))).isZero();
    assertThat(Bus.await(store.reserve(s, day.plusDays(1), 10, "rsv_" + UUID.randomUUID(), "req_n", s.id()))).isNotNull();
  }

  @Test
  void aZeroLimitGrantsNothingAndReleasesGiveBackOnce() {
    Subject s = someone();
    LocalDate day = LocalDate.of(2026, 1, 3);
    assertThat(Bus.await(store.reserve(s, day, 0, "rsv_" + UUID.randomUUID(), "req", s.id()))).isNull();
    BillingStore.Reserved r = Bus.await(store.reserve(s, day, 1, "rsv_" + UUID.randomUUID(), "req", s.id()));
    assertThat(Bus.await(store.reserve(s, day, 1, "rsv_" + UUID.randomUUID(), "req", s.id()))).isNull();
    List<Future<JsonObject>> releases = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      releases.add(store.release(r.reservationId()));
    }
    Bus.await(Future.join(releases));
    assertThat(releases.stream().filter(f -> f.result().getBoolean("released")).count()).isEqualTo(1);
    assertThat(Bus.await(store.used(s, day))).isZero();
    assertThat(Bus.await(store.release("rsv_unknown"))).isNull();
  }

  @Test
  void duplicateEventsAreIgnoredAndAggregatesFollowTheEvents() {
    String user = "usr_" + UUID.randomUUID();
    LocalDate day = LocalDate.of(2026, 1, 4);
    UsageEvent e = event("req_1", user, day, 10, 20, "0.00022500");
    List<Future<boolean[]>> writes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      writes.add(usage.record(List.of(entry(e))));
    }
    Bus.await(Future.join(writes));
    assertThat(writes.stream().filter(f -> f.result()[0]).count()).isEqualTo(1);

    // one batch: a new event, a copy of it, an event already recorded and one more new event
    UsageEvent second = event("req_2", user, day, 5, 5, "0.00010000");
    UsageEvent third = event("req_3", user, day, 1, 2, "0.00000300");
    boolean[] fresh = Bus.await(usage.record(List.of(entry(second), entry(second), entry(e), entry(third))));
    assertThat(fresh).containsExactly(true, false, false, true);

    JsonObject sum = Bus.await(usage.summary(user, null, day, day));
    assertThat(sum.getLong("messages")).isEqualTo(3);
    assertThat(sum.getLong("tokens")).isEqualTo(43);
    assertThat(sum.getDouble("cost_usd")).isEqualTo(0.000328);
    assertThat(Bus.await(usage.messagesOn(Subject.user(user), day))).isEqualTo(3);
    assertThat(Bus.await(pool.preparedQuery("SELECT count(*) AS n FROM billing_outbox WHERE id LIKE $1")
      .execute(io.vertx.sqlclient.Tuple.of("trk:" + user + ":%"))).iterator().next().getLong("n")).isEqualTo(3);
  }

  private static UsageEvent event(String id, String user, LocalDate day, long in, long out, String cost) {
    return new UsageEvent(id, user, null, null, "gpt-4o", "openai", in, out, new BigDecimal(cost), false, false, null,
      null, day);
  }

  private static UsageStore.Entry entry(UsageEvent e) {
    return new UsageStore.Entry(e, new OutboxStore.Row("trk:" + e.userId() + ":" + e.id(), "track", new JsonObject(), 0));
  }

  @Test
  void concurrentClaimsNeverShareARowAndClaimedRowsWaitForTheirLease() {
    Bus.await(pool.query("UPDATE billing_outbox SET delivered_at = now() WHERE delivered_at IS NULL").execute());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String id = "trk:test:" + UUID.randomUUID();
      ids.add(id);
      Bus.await(outbox.insert(new OutboxStore.Row(id, "track", new JsonObject().put("n", i), 0)));
    }
    List<Future<List<OutboxStore.Row>>> claims = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      claims.add(outbox.claim(7, 30));
    }
    Bus.await(Future.join(claims));
    List<String> claimed = new ArrayList<>();
    claims.forEach(c -> c.result().forEach(r -> claimed.add(r.id())));
    assertThat(claimed).doesNotHaveDuplicates().hasSize(30).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(Bus.await(outbox.claim(50, 30))).isEmpty();

    Bus.await(outbox.retryLater(ids.get(0), 0, "503 internal_error"));
    Bus.await(outbox.delivered(ids.get(1)));
    List<OutboxStore.Row> again = Bus.await(outbox.claim(50, 30));
    assertThat(again).extracting(OutboxStore.Row::id).containsExactly(ids.get(0));
    assertThat(again.get(0).attempts()).isEqualTo(2);
    JsonObject counts = Bus.await(outbox.counts());
    assertThat(counts.getLong("pending")).isEqualTo(29);
  }
}
