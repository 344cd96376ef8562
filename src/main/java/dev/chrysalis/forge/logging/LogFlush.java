package dev.chrysalis.forge.logging;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Log lines go through an asynchronous queue (logback.xml), so the process writes out what is
 * still queued before it exits: the last lines are the ones an operator needs most.
 */
public final class LogFlush {

  private LogFlush() {
  }

  /** Drains the queue and stops logging; nothing logged afterwards is written. */
  public static void flushAndStop() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }

  /** {@link #flushAndStop()}, then {@link System#exit}. */
  public static void exit(int status) {
    flushAndStop();
    System.exit(status);
  }
}
