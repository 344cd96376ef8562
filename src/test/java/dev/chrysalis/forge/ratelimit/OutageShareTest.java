package dev.chrysalis.forge.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local counting while Redis is unreachable, without Redis: a node alone continues from
 * Redis's last word, several nodes start from nothing with their share, days are never guessed,
 * and everything let through is owed to Redis afterwards.
 */
class OutageShareTest {

  private static final long MINUTE_US = 60_000_000L;
  private static final long T0 = 1_767_225_600_000L + 3_600_000L;   // 2026-01-01T01:00Z
  private static final Limits TEN = new Limits(10, MINUTE_US, 0);
  private static final Limits TEN_AND_DAY = new Limits(10, MINUTE_US, 100);

  @Test
  void aNodeAloneContinuesFromWhatRedisLastSaid() {
    OutageLimiter o = new OutageLimiter(1_000);
    // Redis said: 4 used (arrival time 4 intervals ahead)
    o.remember("u:a", TEN, T0, Decision.allowed(4 * 6_000_000L, 0));
    assertThat(allowed(o, "u:a", TEN, T0, 1, 50)).isEqualTo(6);
    // unknown subject: nothing remaining, the first one after one interval (6 s)
    assertThat(allowed(o, "u:new", TEN, T0, 1, 50)).isZero();
    assertThat(allowed(o, "u:new", TEN, T0 + 6_000, 1, 50)).isEqualTo(1);
  }

  @Test
  void severalNodesStartFromNothingWithTheirShare() {
    OutageLimiter o = new OutageLimiter(1_000);
    o.remember("u:a", TEN, T0, Decision.allowed(6_000_000L, 0));
    assertThat(allowed(o, "u:a", TEN, T0, 2, 50)).isZero();
    // 5 per minute for this node: one every 12 s
    assertThat(allowed(o, "u:a", TEN, T0 + 11_999, 2, 50)).isZero();
    assertThat(allowed(o, "u:a", TEN, T0 + 12_000, 2, 50)).isEqualTo(1);
    // a whole minute later the share is full again: 5, never 10
    assertThat(allowed(o, "u:a", TEN, T0 + 12_000 + 120_000, 2, 50)).isEqualTo(5);
  }

  @Test
  void aLimitBelowTheNodeCountCannotBeCounted() {
    OutageLimiter o = new OutageLimiter(1_000);
    Decision d = o.check("u:a", new Limits(1, MINUTE_US, 0), T0, 2, 1_000_000L);
    assertThat(d.deniedBy()).isEqualTo(Decision.Denial.UNAVAILABLE);
    assertThat(d.retryAfterMicros()).isEqualTo(1_000_000L);
  }

  @Test
  void aNodeThatJoinsMidOutageMakesEveryShareSmaller() {
    OutageLimiter o = new OutageLimiter(1_000);
    o.remember("u:a", TEN, T0, Decision.allowed(6_000_000L, 0));
    assertThat(allowed(o, "u:a", TEN, T0, 1, 3)).isEqualTo(3);
    // a second node: restart from nothing with half the limit
    assertThat(allowed(o, "u:a", TEN, T0, 2, 50)).isZero();
    assertThat(o.owed(T0).get(0).localMicros()).isEqualTo(3 * TEN.intervalMicros());
  }

  @Test
  void daysAreExactAloneAndNotGuessedWithOthers() {
    OutageLimiter alone = new OutageLimiter(1_000);
    alone.remember("u:a", TEN_AND_DAY, T0, Decision.allowed(6_000_000L, 97));
    assertThat(allowed(alone, "u:a", TEN_AND_DAY, T0, 1, 50)).isEqualTo(3);
    assertThat(alone.check("u:a", TEN_AND_DAY, T0, 1, 1L).deniedBy()).isEqualTo(Decision.Denial.DAY);

    OutageLimiter shared = new OutageLimiter(1_000);
    shared.remember("u:a", TEN_AND_DAY, T0, Decision.allowed(6_000_000L, 10));
    assertThat(shared.check("u:a", TEN_AND_DAY, T0, 2, 1L).deniedBy()).isEqualTo(Decision.Denial.WINDOW);
    // the window share has one request 12 s later, but the day's count is not known: not served
    assertThat(shared.check("u:a", TEN_AND_DAY, T0 + 12_000, 2, 1L).deniedBy()).isEqualTo(Decision.Denial.UNAVAILABLE);
    // a day that began during the outage starts at zero everywhere: half the day limit each
    long nextDay = T0 - 3_600_000L + 86_400_000L;
    Limits busy = new Limits(10_000, MINUTE_US, 100);
    assertThat(allowed(shared, "u:a", busy, nextDay, 2, 1)).isZero();   // the window share starts empty
    assertThat(allowed(shared, "u:a", busy, nextDay + 60_000, 2, 200)).isEqualTo(50);
  }

  @Test
  void everythingLetThroughIsOwedToRedisExactlyOnce() {
    OutageLimiter o = new OutageLimiter(1_000);
    o.remember("u:a", TEN_AND_DAY, T0, Decision.allowed(2 * 6_000_000L, 2));
    assertThat(allowed(o, "u:a", TEN_AND_DAY, T0, 1, 3)).isEqualTo(3);
    List<OutageLimiter.Pending> all = o.toReconcile(T0);
    assertThat(all).hasSize(1);
    OutageLimiter.Pending p = all.get(0);
    assertThat(p.knownTat()).isEqualTo(T0 * 1_000L + 2 * 6_000_000L);
    assertThat(p.localMicros()).isEqualTo(3 * 6_000_000L);
    assertThat(p.knownDayCount()).isEqualTo(2);
    assertThat(p.localDayCount()).isEqualTo(3);
    o.markPushed(all);
    assertThat(o.owed(T0)).isEmpty();
    // let through while the first round was on its way: owed once more, then nothing
    assertThat(allowed(o, "u:a", TEN_AND_DAY, T0, 1, 1)).isEqualTo(1);
    List<OutageLimiter.Pending> more = o.owed(T0);
    assertThat(more).hasSize(1);
    assertThat(more.get(0).localMicros()).isEqualTo(6_000_000L);
    o.markPushed(more);
    assertThat(o.owed(T0)).isEmpty();
    o.stopCounting();
    assertThat(o.sweep(T0 + 120_000L + 86_400_000L)).isEqualTo(1);
  }

  private static int allowed(OutageLimiter o, String subject, Limits limits, long now, int nodes, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      n += o.check(subject, limits, now, nodes, 1L).allowed() ? 1 : 0;
    }
    return n;
  }
}
