package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.testing.RedisProcess;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peek answers what a check would, counting nothing, on every backend: the HTTP layer peeks
 * before looking up an API key and counts only the failures.
 */
class PeekTest {

  private static final long MINUTE_US = 60_000_000L;
  /** Five per minute: one every 12 s. */
  private static final Limits FIVE = new Limits(5, MINUTE_US, 0);
  private static final long T0 = 1_764_000_000_000L - 1_764_000_000_000L % 60_000L + 3_600_000L;

  interface Backend {
    Decision check(String subject, long nowMillis) throws Exception;

    Decision peek(String subject, long nowMillis) throws Exception;
  }

  @Test
  void memoryBackend() throws Exception {
    MemoryLimiter memory = new MemoryLimiter(1_000, null);
    peeksCountNothing(new Backend() {
      public Decision check(String s, long now) {
        return memory.check(s, FIVE, now).result();
      }

      public Decision peek(String s, long now) {
        return memory.peek(s, FIVE, now).result();
      }
    });
  }

  @Test
  void redisBackend() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (RedisProcess redis = RedisProcess.start()) {
      RedisLimiter limiter = new RedisLimiter(vertx, redis.url(), "forge:rl:peek");
      peeksCountNothing(new Backend() {
        public Decision check(String s, long now) throws Exception {
          return limiter.check(s, FIVE, now).await(10, TimeUnit.SECONDS);
        }

        public Decision peek(String s, long now) throws Exception {
          return limiter.peek(s, FIVE, now).await(10, TimeUnit.SECONDS);
        }
      });
      assertThat(redis.command("EXISTS forge:rl:peek:{ip:never-checked}:w")).isEqualTo(":0");
      limiter.peek("ip:never-checked", FIVE, T0).await(10, TimeUnit.SECONDS);
      assertThat(redis.command("EXISTS forge:rl:peek:{ip:never-checked}:w")).as("a peek writes nothing").isEqualTo(":0");
      limiter.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void outageShareAlone() {
    // a node alone starts a subject it knows nothing of with nothing remaining; peeks change none of it
    OutageLimiter outage = new OutageLimiter(1_000);
    assertThat(outage.peek("ip:a", FIVE, T0, 1, 1_000_000L).allowed()).isFalse();
    assertThat(outage.check("ip:a", FIVE, T0, 1, 1_000_000L).allowed()).isFalse();
    long later = T0 + 12_000;
    for (int i = 0; i < 3; i++) {
      assertThat(outage.peek("ip:a", FIVE, later, 1, 1_000_000L).allowed()).isTrue();
    }
    assertThat(outage.check("ip:a", FIVE, later, 1, 1_000_000L).allowed()).isTrue();
    assertThat(outage.peek("ip:a", FIVE, later, 1, 1_000_000L).allowed()).isFalse();
  }

  private static void peeksCountNothing(Backend b) throws Exception {
    for (int i = 0; i < 10; i++) {
      assertThat(b.peek("ip:a", T0).allowed()).isTrue();
    }
    for (int i = 0; i < 5; i++) {
      assertThat(b.check("ip:a", T0).allowed()).as("check %d after ten peeks", i + 1).isTrue();
    }
    Decision peeked = b.peek("ip:a", T0);
    Decision checked = b.check("ip:a", T0);
    assertThat(peeked.allowed()).isFalse();
    assertThat(peeked.deniedBy()).isEqualTo(Decision.Denial.WINDOW);
    assertThat(peeked.retryAfterMicros()).isEqualTo(checked.retryAfterMicros()).isEqualTo(12_000_000L);
    assertThat(peeked.windowUsedMicros()).isEqualTo(checked.windowUsedMicros());

    long later = T0 + 12_000;
    assertThat(b.peek("ip:a", later).allowed()).isTrue();
    assertThat(b.peek("ip:a", later).allowed()).isTrue();
    assertThat(b.check("ip:a", later).allowed()).isTrue();
    assertThat(b.peek("ip:a", later).allowed()).isFalse();
    // another subject is untouched
    assertThat(b.peek("ip:b", later).allowed()).isTrue();
  }
}
