package dev.chrysalis.forge.config;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Makes sure {@code auth.secret_key} is set. Production refuses to start without it; development
 * generates a random 256-bit key once and keeps it in {@code <data_dir>/secret.key}, so tokens
 * survive restarts. Blocking (file I/O): call before Vert.x starts serving.
 */
public final class Secrets {

  private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
  public static final int MIN_SECRET_BYTES = 32;

  private Secrets() {
  }

  public static void ensureSecretKey(JsonObject config) throws IOException {
    JsonObject auth = config.getJsonObject("auth");
    if (auth == null) {
      auth = new JsonObject();
      config.put("auth", auth);
    }
    String key = auth.getString("secret_key", "");
    boolean production = "production".equalsIgnoreCase(config.getString("env", "development"));
    if (key != null && !key.isBlank()) {
      if (key.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new IllegalStateException("CHRYSALIS_SECRET_KEY must be at least " + MIN_SECRET_BYTES
          + " bytes (generate one with: openssl rand -base64 32)");
      }
      return;
    }
    if (production) {
      throw new IllegalStateException("CHRYSALIS_ENV=production requires CHRYSALIS_SECRET_KEY (at least "
        + MIN_SECRET_BYTES + " bytes; generate one with: openssl rand -base64 32)");
    }
    Path dir = Path.of(config.getString("data_dir", "./data"));
    Files.createDirectories(dir);
    Path file = dir.resolve("secret.key");
    if (!Files.exists(file)) {
      byte[] raw = new byte[32];
      new SecureRandom().nextBytes(raw);
      writeOwnerOnly(file, Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    }
    auth.put("secret_key", Files.readString(file).trim());
    LOG.warn("*** CHRYSALIS_SECRET_KEY is not set: using the development key kept in {}. "
      + "Set CHRYSALIS_SECRET_KEY (and CHRYSALIS_ENV=production) before exposing this server. ***", file.toAbsolutePath());
  }

  /**
   * Creates {@code file} (it must not exist) readable and writable by its owner only from the
   * moment it exists: the mode is given to the create call, so no other user can open it between
   * creation and a later chmod. On a file system without POSIX modes it is created plainly.
   */
  public static void writeOwnerOnly(Path file, String content) throws IOException {
    FileAttribute<Set<PosixFilePermission>> ownerOnly =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    SeekableByteChannel channel;
    try {
      channel = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly);
    } catch (UnsupportedOperationException notPosix) {
      channel = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }
    try (SeekableByteChannel out = channel) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
    }
  }
}
