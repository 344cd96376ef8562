package dev.chrysalis.forge.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The negative cache's rules on their own, with the time passed in. */
class UnknownKeyCacheTest {

  @Test
  void aMissIsRememberedUntilItsTtl() {
    UnknownKeyCache c = new UnknownKeyCache(100, 30_000);
    c.remember("h1", 1_000, c.generation());
    assertThat(c.isUnknown("h1", 30_999)).isTrue();
    assertThat(c.isUnknown("h1", 31_000)).isFalse();
    assertThat(c.isUnknown("h2", 1_000)).isFalse();
  }

  @Test
  void aCreatedKeyIsDroppedAndALookupInFlightAcrossACreateIsNotCached() {
    UnknownKeyCache c = new UnknownKeyCache(100, 30_000);
    c.remember("h1", 0, c.generation());
    c.forget("h1");
    assertThat(c.isUnknown("h1", 1)).isFalse();

    // a lookup that read the table before a key was committed must not cache its miss
    long before = c.generation();
    c.forget("h2");
    c.remember("h2", 5, before);
    assertThat(c.isUnknown("h2", 6)).isFalse();
    c.remember("h2", 7, c.generation());
    assertThat(c.isUnknown("h2", 8)).isTrue();
  }

  @Test
  void boundedAndOffWithAZeroTtl() {
    UnknownKeyCache c = new UnknownKeyCache(10, 30_000);
    for (int i = 0; i < 1_000; i++) {
      c.remember("h" + i, 0, c.generation());
    }
    assertThat(c.size()).isEqualTo(10);
    assertThat(c.isUnknown("h999", 1)).isTrue();
    assertThat(c.isUnknown("h0", 1)).isFalse();

    UnknownKeyCache off = new UnknownKeyCache(10, 0);
    off.remember("h", 0, off.generation());
    assertThat(off.isUnknown("h", 0)).isFalse();
  }
}
