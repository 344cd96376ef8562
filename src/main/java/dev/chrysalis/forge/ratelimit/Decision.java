package dev.chrysalis.forge.ratelimit;

/**
 * The outcome of one check, as a backend computes it. Times are microseconds from now.
 * {@code windowUsedMicros} is how far the GCRA arrival time runs ahead of now after this check
 * (0 = a full bucket); {@code dayCount} is the day's count after this check.
 */
record Decision(boolean allowed, Denial deniedBy, long windowUsedMicros, long retryAfterMicros, long dayCount) {

  /** UNAVAILABLE: the limit cannot be counted right now (Redis unreachable and this node holds no share of it). */
  enum Denial { NONE, WINDOW, DAY, UNAVAILABLE }

  static Decision allowed(long windowUsedMicros, long dayCount) {
    return new Decision(true, Denial.NONE, windowUsedMicros, 0, dayCount);
  }

  static Decision window(long windowUsedMicros, long retryAfterMicros, long dayCount) {
    return new Decision(false, Denial.WINDOW, windowUsedMicros, retryAfterMicros, dayCount);
  }

  static Decision day(long windowUsedMicros, long dayCount) {
    return new Decision(false, Denial.DAY, windowUsedMicros, 0, dayCount);
  }

  static Decision unavailable(long retryAfterMicros) {
    return new Decision(false, Denial.UNAVAILABLE, 0, retryAfterMicros, -1);
  }
}
