package dev.chrysalis.forge.ratelimit;

/**
 * What one check enforces: {@code perWindow} requests per {@code windowMicros} (GCRA: an emission
 * interval of {@code windowMicros / perWindow} and a burst of exactly {@code perWindow}; 0 = no
 * window limit), and {@code perDay} per UTC day (0 = no day limit).
 */
record Limits(long perWindow, long windowMicros, long perDay) {

  /** 0 when there is no window limit. */
  long intervalMicros() {
    return perWindow == 0 ? 0L : Math.max(1L, windowMicros / perWindow);
  }

  /** The burst capacity in time: a full bucket lets exactly {@code perWindow} requests through. */
  long capacityMicros() {
    return intervalMicros() * perWindow;
  }

  boolean hasWindowLimit() {
    return perWindow > 0;
  }

  boolean hasDayLimit() {
    return perDay > 0;
  }

  boolean unlimited() {
    return perWindow == 0 && perDay == 0;
  }
}
