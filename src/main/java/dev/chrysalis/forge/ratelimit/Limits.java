package dev.chrysalis.forge.ratelimit;

/**
 * What one check enforces: {@code perWindow} requests per {@code windowMicros} (GCRA: an emission
 * interval of {@code windowMicros / perWindow} and a burst of exactly {@code perWindow}), and
 * {@code perDay} per UTC day (0 = no day limit).
 */
record Limits(long perWindow, long windowMicros, long perDay) {

  long intervalMicros() {
    return Math.max(1L, windowMicros / perWindow);
  }

  /** The burst capacity in time: a full bucket lets exactly {@code perWindow} requests through. */
  long capacityMicros() {
    return intervalMicros() * perWindow;
  }

  boolean hasDayLimit() {
    return perDay > 0;
  }
}
