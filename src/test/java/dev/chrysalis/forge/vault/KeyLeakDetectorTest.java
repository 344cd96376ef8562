package dev.chrysalis.forge.vault;

import ch.qos.logback.classic.Logger;
import dev.chrysalis.forge.testing.KeyLeakAppender;
import dev.chrysalis.forge.testing.PlaintextKeys;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The log-leak detector the vault tests rely on is installed and recognises a key. */
class KeyLeakDetectorTest {

  @Test
  void installedOnTheRootLoggerAndMatchesKeysAndTheMarker() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertThat(root.getAppender("KEY_LEAKS")).isInstanceOf(KeyLeakAppender.class);
    LoggerFactory.getLogger(KeyLeakDetectorTest.class).info("detector self-check");
    assertThat(KeyLeakAppender.scanned()).isPositive();

    String key = PlaintextKeys.fresh("sk-");
    assertThat(KeyLeakAppender.find("upstream said: " + key)).isNotNull();
    assertThat(KeyLeakAppender.find("key ..." + key.substring(key.length() - 4))).isNull();
    assertThat(KeyLeakAppender.find("contains " + PlaintextKeys.MARKER + " somewhere")).isNotNull();
  }
}
