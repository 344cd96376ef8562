package dev.chrysalis.forge.ratelimit;

/**
 * The outcome of one check, as a backend computes it. Times are microseconds from now.
 * {@code windowUsedMicros} is how far the GCRA arrival time runs ahead of now after this check
 * (0 = a full bucket); {@code dayCount} is the day's count after this check.
 */
record Decision(boolean allowed, Denial deniedBy, long windowUsedMicros, long retryAfterMicros, long dayCount) {

  enum Denial { NONE, WINDOW, DAY }

  static Decision allowed(long windowUsedMicros, long dayCount) {
    return new Decision(true, Denial.NONE, windowUsedMicros, 0, dayCount);
  }

  static Decision window(long windowUsedMicros, long retryAfterMicros, long dayCount) {
    return new Decision(false, Denial.WINDOW, windowUsedMicros, retryAfterMicros, dayCount);
  }

  static Decision day(long windowUsedMicros, long dayCount) {
    return new Decision(false, Denial.DAY, windowUsedMicros, 0, dayCount);
  }
}
