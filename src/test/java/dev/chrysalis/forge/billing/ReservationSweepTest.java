package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.store.DatabaseTarget;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.MutableClock;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep of reservations whose request died, against real PostgreSQL with a clock the test
 * moves (each test on a database of its own, so the counts are exact); and the service's own
 * periodic sweep, with a one-second age.
 */
class ReservationSweepTest {

  private static final Duration MAX_AGE = Duration.ofMinutes(15);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T10:00:00Z"));
  private final LocalDate day = LocalDate.of(2026, 3, 10);
  private Vertx vertx;
  private Pool pool;
  private BillingStore store;
  private UsageStore usage;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    DatabaseTarget target = DatabaseTarget.fromUrl(TestDatabase.freshDatabaseUrl());
    Bus.await(Migrations.run(vertx, target));
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(8)).connectingTo(target.connectOptions()).using(vertx)
      .build();
    store = new BillingStore(pool, clock);
    usage = new UsageStore(pool, new OutboxStore(pool));
  }

  @AfterEach
  void stop() {
    Bus.await(pool.close());
    Bus.await(vertx.close());
  }

  private String reserve(Subject s) {
    BillingStore.Reserved r = Bus.await(store.reserve(s, day, 100, "rsv_" + UUID.randomUUID(), "req_" + UUID.randomUUID(),
      s.id()));
    return r.reservationId();
  }

  private void consume(Subject s, String reservationId) {
    Bus.await(usage.record(List.of(new UsageStore.Entry(new UsageEvent("req_" + UUID.randomUUID(), s.id(), null, null,
      "gpt-4o-mini", "openai", 1, 1, BigDecimal.ZERO.setScale(8), false, false, null, reservationId, day), null))));
  }

  private int used(Subject s) {
    return Bus.await(store.used(s, day));
  }

  private String status(String reservationId) {
    // release() answers the state of an already settled reservation without changing it
    JsonObject r = Bus.await(store.release(reservationId));
    assertThat(r.getBoolean("released")).as("the probe itself must not release anything").isFalse();
    return r.getString("status");
  }

  @Test
  void aReservationLeftBehindIsGivenBackAFreshOneAndAConsumedOneAreNot() {
    Subject user = Subject.user("usr_" + UUID.randomUUID());
    String abandoned = reserve(user);
    String consumed = reserve(user);
    consume(user, consumed);
    clock.advanceMillis(Duration.ofMinutes(16).toMillis());
    String fresh = reserve(user);
    assertThat(used(user)).isEqualTo(3);

    assertThat(Bus.await(store.releaseStale(MAX_AGE, 500))).isEqualTo(1);
    assertThat(used(user)).as("the abandoned message is given back").isEqualTo(2);
    assertThat(status(abandoned)).isEqualTo("released");
    assertThat(status(consumed)).isEqualTo("consumed");

    // idempotent: a second sweep finds nothing
    assertThat(Bus.await(store.releaseStale(MAX_AGE, 500))).isZero();
    assertThat(used(user)).isEqualTo(2);

    // the fresh one is released only once it is old itself; the consumed one never
    clock.advanceMillis(Duration.ofMinutes(16).toMillis());
    assertThat(Bus.await(store.releaseStale(MAX_AGE, 500))).isEqualTo(1);
    assertThat(status(fresh)).isEqualTo("released");
    assertThat(status(consumed)).isEqualTo("consumed");
    assertThat(used(user)).as("only the consumed message stays counted").isEqualTo(1);
    clock.advanceMillis(Duration.ofDays(1).toMillis());
    assertThat(Bus.await(store.releaseStale(MAX_AGE, 500))).isZero();
    assertThat(used(user)).isEqualTo(1);
  }

  @Test
  void aReservationReleasedByItsRequestIsNotGivenBackTwice() {
    Subject org = Subject.org("org_" + UUID.randomUUID().toString().replace("-", ""));
    String r = reserve(org);
    reserve(org);
    assertThat(Bus.await(store.release(r)).getBoolean("released")).isTrue();
    assertThat(used(org)).isEqualTo(1);
    clock.advanceMillis(Duration.ofHours(1).toMillis());
    assertThat(Bus.await(store.releaseStale(MAX_AGE, 500))).isEqualTo(1);
    assertThat(used(org)).isZero();
  }

  @Test
  void sweepsOnSeveralNodesAtOnceGiveEachMessageBackExactlyOnce() {
    List<Subject> subjects = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      subjects.add(Subject.user("usr_" + UUID.randomUUID()));
    }
    for (int i = 0; i < 240; i++) {
      reserve(subjects.get(i % subjects.size()));
    }
    clock.advanceMillis(Duration.ofMinutes(20).toMillis());
    // six "nodes" sweeping concurrently in small batches, each until it finds nothing more
    AtomicLong total = new AtomicLong();
    List<Future<Integer>> sweeps = new ArrayList<>();
    for (int node = 0; node < 6; node++) {
      sweeps.add(sweepUntilEmpty(total));
    }
    Bus.await(Future.join(sweeps));
    // a node that found the lock taken stopped early; finish what is left, as the next tick would
    Bus.await(sweepUntilEmpty(total));
    assertThat(total.get()).isEqualTo(240);
    for (Subject s : subjects) {
      assertThat(used(s)).isZero();
    }
  }

  private Future<Integer> sweepUntilEmpty(AtomicLong total) {
    return store.releaseStale(MAX_AGE, 17).compose(n -> {
      total.addAndGet(n);
      return n == 0 ? Future.succeededFuture(0) : sweepUntilEmpty(total);
    });
  }

  @Test
  void theSweeperGoesThroughEveryBatchAndCountsWhatItGaveBack() {
    Subject user = Subject.user("usr_" + UUID.randomUUID());
    for (int i = 0; i < 30; i++) {
      reserve(user);
    }
    clock.advanceMillis(Duration.ofMinutes(15).toMillis() + 1);
    AtomicLong expired = new AtomicLong();
    ReservationSweeper sweeper = new ReservationSweeper(vertx, store,
      new BillingConfig.Reservations(MAX_AGE.toMillis(), 60_000), expired, 7);
    assertThat(Bus.await(sweeper.sweep())).isEqualTo(30);
    assertThat(expired.get()).isEqualTo(30);
    assertThat(used(user)).isZero();
  }

  @Test
  void theServiceSweepsOnItsOwnAndTheQuotaComesBack() {
    String adminEmail = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_FREE_DAILY_LIMIT", "3",
      "CHRYSALIS_BILLING_RESERVATION_MAX_AGE_SECONDS", "1", "CHRYSALIS_BILLING_RESERVATION_SWEEP_SECONDS", "1",
      "CHRYSALIS_ADMIN_EMAILS", adminEmail))) {
      Api api = app.api();
      BillingService billing = BillingService.createProxy(app.vertx());
      Users.Registered u = Users.register(api);
      for (int i = 0; i < 3; i++) {
        // requests that reserve a message and then die with their process: nothing settles them
        Bus.await(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_dead_" + i)));
      }
      Bus.failure(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_x")), 402,
        "quota_exceeded");
      assertThat(api.call("getBillingPlan").bearer(u.token()).send().expect(200).json().getInteger("used_today"))
        .isEqualTo(3);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      JsonObject plan = null;
      while (System.nanoTime() < deadline) {
        plan = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
        if (plan.getInteger("used_today") == 0) {
          break;
        }
        sleep(200);
      }
      assertThat(plan.getInteger("used_today")).isZero();
      assertThat(plan.getInteger("remaining_today")).isEqualTo(3);
      Bus.await(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_after")));

      JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", adminEmail)
        .put("password", Users.PASSWORD)).send().expect(201).json();
      Users.verify(app, new Users.Registered(reg.getString("id"), adminEmail, reg.getString("token")));
      JsonObject status = api.call("getBillingStatus").bearer(reg.getString("token")).send().expect(200).json();
      assertThat(status.getJsonObject("metrics").getLong("reservations_expired")).isGreaterThanOrEqualTo(3);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
