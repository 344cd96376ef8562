package dev.chrysalis.forge.ratelimit;

import java.time.LocalDate;

/** Day limits reset at 00:00 UTC: the day of an instant is its epoch day in UTC. */
final class UtcDays {

  static final long DAY_MILLIS = 86_400_000L;

  private UtcDays() {
  }

  static long epochDay(long nowMillis) {
    return Math.floorDiv(nowMillis, DAY_MILLIS);
  }

  static long nextMidnightMillis(long nowMillis) {
    return (epochDay(nowMillis) + 1) * DAY_MILLIS;
  }

  static LocalDate date(long nowMillis) {
    return LocalDate.ofEpochDay(epochDay(nowMillis));
  }
}
