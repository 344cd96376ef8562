package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.serviceproxy.ServiceException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * The opaque {@code after} cursor of every list: the (created_at, id) of the last row shown,
 * base64url encoded. Lists are newest first and page with {@code (created_at, id) < cursor}, so
 * rows inserted while a client pages never shift or repeat what it sees.
 */
record Cursor(OffsetDateTime at, String id) {

  private static final String VERSION = "c1";

  static String encode(OffsetDateTime at, String id) {
    Instant i = at.toInstant();
    long micros = Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
    String raw = VERSION + ":" + micros + ":" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Null for a null cursor; a 400 {@code invalid_cursor} for anything we did not hand out. */
  static Cursor decode(String cursor) throws ServiceException {
    if (cursor == null) {
      return null;
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", 3);
      if (parts.length != 3 || !VERSION.equals(parts[0]) || parts[2].isEmpty() || parts[2].length() > 64) {
        throw new IllegalArgumentException("shape");
      }
      long micros = Long.parseLong(parts[1]);
      Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
      return new Cursor(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), parts[2]);
    } catch (RuntimeException e) {
      throw Errors.error(400, "invalid_cursor", "The 'after' cursor is not one this API returned.", "after");
    }
  }
}
