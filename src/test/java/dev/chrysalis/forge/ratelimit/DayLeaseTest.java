package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.store.DatabaseTarget;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.testing.TestDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-process day counter with leased blocks, against real PostgreSQL, with the time the test
 * passes in (a fixed instant, so every lease follows the previous one within the growth window):
 * exactly the limit passes under concurrency with far fewer statements than requests, a clean
 * stop gives unused units back, and a node that dies holding units never lets anyone past the limit.
 */
class DayLeaseTest {

  private static final long NOW = 1_764_000_000_000L + 3_600_000L;   // mid-day UTC
  private static final LocalDate TODAY = UtcDays.date(NOW);
  private static Vertx vertx;
  private static Pool pool;
  private static DayCounterStore store;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    DatabaseTarget target = DatabaseTarget.fromUrl(TestDatabase.freshDatabaseUrl());
    Migrations.run(vertx, target).await(60, TimeUnit.SECONDS);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(10)).connectingTo(target.connectOptions()).using(vertx)
      .build();
    store = new DayCounterStore(pool);
  }

  @AfterAll
  static void stop() throws Exception {
    pool.close().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** A limiter as one node has it, driven on its own event loop like the verticle's. */
  private static final class Node {
    final Context context = vertx.getOrCreateContext();
    final MemoryLimiter limiter = new MemoryLimiter(10_000, new DayLeases(store, 30_000, 1_000));

    <T> T on(Supplier<Future<T>> work) throws Exception {
      Promise<T> done = Promise.promise();
      context.runOnContext(v -> work.get().onComplete(done));
      return done.future().await(60, TimeUnit.SECONDS);
    }

    /** Fires {@code n} checks at once (all issued before any answer arrives). */
    List<Decision> burst(String subject, int n, long perDay) throws Exception {
      Limits limits = new Limits(60_000, 60_000_000L, perDay);
      return on(() -> {
        List<Future<Decision>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          all.add(limiter.check(subject, limits, NOW));
        }
        return Future.all(all).map(cf -> {
          List<Decision> out = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            out.add(cf.resultAt(i));
          }
          return out;
        });
      });
    }
  }

  private static String subject() {
    return "u:usr_" + UUID.randomUUID();
  }

  private static long allowed(List<Decision> ds) {
    return ds.stream().filter(Decision::allowed).count();
  }

  private static long counted(String subject) throws Exception {
    return store.count(subject, TODAY).await(30, TimeUnit.SECONDS);
  }

  @Test
  void exactlyTheLimitPassesWithFarFewerStatementsThanRequests() throws Exception {
    Node node = new Node();
    String s = subject();
    List<Decision> first = node.burst(s, 3_000, 2_000);
    assertThat(allowed(first)).isEqualTo(2_000);
    assertThat(first.stream().filter(d -> !d.allowed()).allMatch(d -> d.deniedBy() == Decision.Denial.DAY)).isTrue();
    // every allowed request saw its own count: 1..2000, each once, so remaining headers never repeat
    assertThat(first.stream().filter(Decision::allowed).map(Decision::dayCount).distinct().count()).isEqualTo(2_000);
    assertThat(first.stream().filter(Decision::allowed).mapToLong(Decision::dayCount).max().orElseThrow())
      .isEqualTo(2_000);
    assertThat(node.limiter.dayLeases()).as("statements for 3,000 requests").isLessThan(30);
    assertThat(counted(s)).isEqualTo(2_000);

    // one at a time (a client waiting for each answer): counts stay exact as the block drains
    String one = subject();
    long leasesBefore = node.limiter.dayLeases();
    for (int i = 1; i <= 100; i++) {
      Decision d = node.burst(one, 1, 1_000).get(0);
      assertThat(d.allowed()).isTrue();
      assertThat(d.dayCount()).isEqualTo(i);
    }
    assertThat(node.limiter.dayLeases() - leasesBefore).isLessThan(50);
    assertThat(counted(one)).as("PostgreSQL holds at least what was served").isGreaterThanOrEqualTo(100);
  }

  @Test
  void theLastRequestsBeforeTheLimitAreCountedOneByOne() throws Exception {
    Node node = new Node();
    String s = subject();
    for (int i = 1; i <= 30; i++) {
      Decision d = node.burst(s, 1, 30).get(0);
      assertThat(d.allowed()).isTrue();
      assertThat(d.dayCount()).isEqualTo(i);
      if (i > 20) {
        // less than a tenth of the day left: nothing is leased ahead, PostgreSQL holds exactly what passed
        assertThat(counted(s)).isEqualTo(i);
      }
    }
    assertThat(node.burst(s, 5, 30)).noneMatch(Decision::allowed);
  }

  @Test
  void aCleanStopGivesUnusedUnitsBackSoTheNextNodeSeesTheExactCount() throws Exception {
    Node first = new Node();
    String s = subject();
    assertThat(allowed(first.burst(s, 300, 1_000))).isEqualTo(300);
    assertThat(counted(s)).as("spare units leased ahead").isGreaterThan(300);
    first.on(() -> first.limiter.close());
    assertThat(counted(s)).isEqualTo(300);

    Node second = new Node();
    Decision next = second.burst(s, 1, 1_000).get(0);
    assertThat(next.dayCount()).isEqualTo(301);
    assertThat(allowed(second.burst(s, 1_500, 1_000))).isEqualTo(699);
    assertThat(counted(s)).isEqualTo(1_000);
  }

  @Test
  void aNodeThatDiesHoldingUnitsNeverLetsAnyonePastTheLimit() throws Exception {
    Node dead = new Node();
    String s = subject();
    long passedBefore = allowed(dead.burst(s, 300, 1_000));
    assertThat(passedBefore).isEqualTo(300);
    long countedAtCrash = counted(s);
    assertThat(countedAtCrash).as("units leased and never served").isGreaterThan(300);
    // no close(): the process is gone, its unused units stay counted

    Node survivor = new Node();
    long passedAfter = allowed(survivor.burst(s, 1_500, 1_000));
    assertThat(passedAfter).isEqualTo(1_000 - countedAtCrash);
    assertThat(passedBefore + passedAfter).isLessThanOrEqualTo(1_000);
    assertThat(counted(s)).isEqualTo(1_000);
  }

  @Test
  void twoNodesSharingADayNeverPassMoreThanTheLimitTogether() throws Exception {
    Node a = new Node();
    Node b = new Node();
    String s = subject();
    long passed = 0;
    for (int round = 0; round < 20; round++) {
      passed += allowed(a.burst(s, 40, 500));
      passed += allowed(b.burst(s, 40, 500));
    }
    assertThat(passed).isLessThanOrEqualTo(500);
    a.on(() -> a.limiter.close());
    b.on(() -> b.limiter.close());
    assertThat(counted(s)).isEqualTo(passed);
    // with both nodes' spare units given back, the rest of the day is exactly what is left
    Node c = new Node();
    assertThat(allowed(c.burst(s, 800, 500))).isEqualTo(500 - passed);
  }

  @Test
  void aNewUtcDayStartsFromZero() throws Exception {
    Node node = new Node();
    String s = subject();
    assertThat(allowed(node.burst(s, 20, 10))).isEqualTo(10);
    Limits limits = new Limits(60_000, 60_000_000L, 10);
    long midnight = UtcDays.nextMidnightMillis(NOW);
    Decision refused = node.on(() -> node.limiter.check(s, limits, midnight - 1));
    assertThat(refused.allowed()).isFalse();
    Decision fresh = node.on(() -> node.limiter.check(s, limits, midnight));
    assertThat(fresh.allowed()).isTrue();
    assertThat(fresh.dayCount()).isEqualTo(1);
    assertThat(store.count(s, TODAY.plusDays(1)).await(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(1);
  }
}
