package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.testing.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window-edge bound of docs/operations.md, on both backends with a clock the test drives:
 * a full burst at the end of one minute leaves nothing for the start of the next, and in any
 * interval of length t fewer than L + t/I requests pass (L the limit, I = window / L).
 */
class GcraWindowTest {

  private static final long MINUTE_US = 60_000_000L;
  private static final Limits SIXTY_PER_MINUTE = new Limits(60, MINUTE_US, 0);
  /** A minute boundary (epoch ms), far from a day boundary. */
  private static final long T0 = 1_764_000_000_000L - 1_764_000_000_000L % 60_000L + 3_600_000L;

  interface Checker {
    boolean allowed(String subject, long nowMillis) throws Exception;
  }

  @Test
  void memoryBackend() throws Exception {
    MemoryLimiter memory = new MemoryLimiter(10_000, null);
    Checker c = (s, now) -> memory.check(s, SIXTY_PER_MINUTE, now).result().allowed();
    edgeBurst(c, "u:edge");
    boundHolds(c, "u:random");
    exactBurstForAwkwardLimits((s, now) -> memory.check(s, new Limits(7, MINUTE_US, 0), now).result().allowed());
  }

  @Test
  void redisBackend() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (RedisProcess redis = RedisProcess.start()) {
      RedisLimiter limiter = new RedisLimiter(vertx, redis.url(), "forge:rl:test");
      Checker c = (s, now) -> limiter.check(s, SIXTY_PER_MINUTE, now).await(10, TimeUnit.SECONDS).allowed();
      edgeBurst(c, "u:edge");
      boundHolds(c, "u:random");
      exactBurstForAwkwardLimits((s, now) -> limiter.check(s, new Limits(7, MINUTE_US, 0), now)
        .await(10, TimeUnit.SECONDS).allowed());
      // a flushed script cache (Redis restarted or failed over) is reloaded transparently
      assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");
      assertThat(c.allowed("u:after-flush", T0)).isTrue();
      assertThat(redis.command("PTTL forge:rl:test:{u:after-flush}:w")).startsWith(":");
      limiter.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** 100 requests at 0:59.9 and 100 at 1:00.1: a fixed window would pass 120, GCRA passes 60. */
  private static void edgeBurst(Checker c, String subject) throws Exception {
    int first = 0;
    for (int i = 0; i < 100; i++) {
      first += c.allowed(subject, T0 + 59_900) ? 1 : 0;
    }
    int second = 0;
    for (int i = 0; i < 100; i++) {
      second += c.allowed(subject, T0 + 60_100) ? 1 : 0;
    }
    assertThat(first).isEqualTo(60);
    assertThat(second).isZero();
    // one request per second comes back: 1:00.9 has exactly one more
    assertThat(c.allowed(subject, T0 + 60_900)).isTrue();
    assertThat(c.allowed(subject, T0 + 60_900)).isFalse();
  }

  /** Random traffic with bursts at every minute edge, five minutes long; the bound checked everywhere. */
  private static void boundHolds(Checker c, String subject) throws Exception {
    Random random = new Random(42);
    List<Long> passed = new ArrayList<>();
    for (long t = 0; t < 300_000; t += 50) {
      long now = T0 + t;
      int n = t % 60_000 == 59_950 || t % 60_000 == 50 ? 80 : (random.nextInt(10) < 3 ? 1 : 0);
      for (int i = 0; i < n; i++) {
        if (c.allowed(subject, now)) {
          passed.add(now);
        }
      }
    }
    long intervalMs = 1_000;
    for (long lengthMs : new long[] {100, 1_000, 10_000, 30_000, 60_000, 120_000}) {
      double bound = 60 + (double) lengthMs / intervalMs;
      for (int i = 0; i < passed.size(); i++) {
        long end = passed.get(i) + lengthMs;
        int count = 0;
        for (int j = i; j < passed.size() && passed.get(j) < end; j++) {
          count++;
        }
        assertThat((double) count).as("requests in %d ms from %d", lengthMs, passed.get(i) - T0).isLessThan(bound);
      }
    }
    assertThat(passed.size()).isGreaterThan(300);
  }

  /** 7 per minute: the emission interval is not a whole number of µs, the burst is still exactly 7. */
  private static void exactBurstForAwkwardLimits(Checker c) throws Exception {
    int passed = 0;
    for (int i = 0; i < 20; i++) {
      passed += c.allowed("u:seven", T0 + 1) ? 1 : 0;
    }
    assertThat(passed).isEqualTo(7);
  }

  @Test
  void memoryStateIsBoundedAndSwept() {
    MemoryLimiter memory = new MemoryLimiter(1_000, null);
    for (int i = 0; i < 5_000; i++) {
      Future<Decision> d = memory.check("ip:flood-" + i, SIXTY_PER_MINUTE, T0);
      assertThat(d.result().allowed()).isTrue();
    }
    assertThat(memory.size()).isEqualTo(1_000);
    assertThat(memory.sweep(T0 + 500)).isZero();        // buckets not yet full again
    assertThat(memory.sweep(T0 + 1_000)).isEqualTo(1_000);
    assertThat(memory.size()).isZero();
  }
}
