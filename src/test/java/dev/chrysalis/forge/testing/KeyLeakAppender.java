package dev.chrysalis.forge.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Installed on the root logger for the whole test JVM (src/test/resources/logback-test.xml; our
 * own loggers at DEBUG): scans every log event, message and throwable chain, for the plaintext-key marker and
 * for every key {@link PlaintextKeys} handed out. {@link NoKeyLeaks} fails a test class that
 * finishes with a leak recorded.
 */
public final class KeyLeakAppender extends AppenderBase<ILoggingEvent> {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static final AtomicLong SCANNED = new AtomicLong();

  @Override
  protected void append(ILoggingEvent event) {
    SCANNED.incrementAndGet();
    StringBuilder text = new StringBuilder(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append('\n').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    String leak = find(text.toString());
    if (leak != null) {
      LEAKS.add(event.getLoggerName() + ": " + leak);
    }
  }

  /** The leaked key (or marker) found in {@code text}, or null. */
  public static String find(String text) {
    if (text.contains(PlaintextKeys.MARKER)) {
      return "marker " + PlaintextKeys.MARKER;
    }
    for (String key : PlaintextKeys.all()) {
      if (text.contains(key)) {
        return "a registered key";
      }
    }
    return null;
  }

  public static List<String> leaks() {
    return List.copyOf(LEAKS);
  }

  public static long scanned() {
    return SCANNED.get();
  }
}
