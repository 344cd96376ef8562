package dev.chrysalis.forge.bridge;

import dev.chrysalis.forge.config.Secrets;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The shared secret every bridge frame that reaches the bus carries in its headers
 * ({@value #HEADER}): register, unregister, send and publish frames without it, or with another
 * value, are refused; the header is removed before a frame reaches the bus. Frames the bridge
 * writes to the client and pings need no token.
 */
final class BridgeToken {

  static final String HEADER = "token";
  static final String FILE = "bridge.token";
  static final int MIN_LENGTH = 32;
  private static final Set<BridgeEventType> FROM_CLIENT = Set.of(BridgeEventType.SEND, BridgeEventType.PUBLISH,
    BridgeEventType.REGISTER, BridgeEventType.UNREGISTER);

  private final byte[] expected;

  BridgeToken(String token) {
    this.expected = token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The configured token; in development without one, the token kept in {@code <data_dir>/bridge.token}
   * (generated owner-only on first use). Production without a token refuses. Blocking (file I/O).
   */
  static String load(BridgeConfig config, boolean production, Path dataDir) throws IOException {
    if (!config.token().isBlank()) {
      if (config.token().length() < MIN_LENGTH) {
        throw new IllegalStateException("CHRYSALIS_BRIDGE_TOKEN must be at least " + MIN_LENGTH + " characters");
      }
      return config.token();
    }
    if (production) {
      throw new IllegalStateException("CHRYSALIS_ENV=production with the event-bus bridge on requires "
        + "CHRYSALIS_BRIDGE_TOKEN (at least " + MIN_LENGTH + " characters; generate one with: openssl rand -base64 32)");
    }
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      byte[] raw = new byte[32];
      new SecureRandom().nextBytes(raw);
      Secrets.writeOwnerOnly(file, Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    }
    return Files.readString(file).trim();
  }

  /** Decides one bridge event: frames from the client need the token, which is then stripped. */
  void check(BridgeEvent event) {
    if (!FROM_CLIENT.contains(event.type())) {
      event.complete(true);
      return;
    }
    JsonObject frame = event.getRawMessage();
    JsonObject headers = frame == null ? null : frame.getJsonObject("headers");
    Object given = headers == null ? null : headers.getValue(HEADER);
    boolean ok = given instanceof String s && MessageDigest.isEqual(expected, s.getBytes(StandardCharsets.UTF_8));
    if (ok) {
      JsonObject clean = frame.copy();
      clean.getJsonObject("headers").remove(HEADER);
      event.setRawMessage(clean);
    }
    event.complete(ok);
  }
}
