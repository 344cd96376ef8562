package dev.chrysalis.forge.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After each test class that handles provider keys: no log event of the JVM so far (from any
 * class) contained a plaintext key, and the detector really saw the log stream.
 */
public final class NoKeyLeaks implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    if (KeyLeakAppender.scanned() == 0) {
      throw new AssertionError("KeyLeakAppender saw no log events: is src/test/resources/logback-test.xml in use?");
    }
    if (!KeyLeakAppender.leaks().isEmpty()) {
      throw new AssertionError("plaintext provider keys reached the logs: " + KeyLeakAppender.leaks());
    }
  }
}
