package dev.chrysalis.forge.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * The opaque {@code after} cursor of a list that pages newest first by (created_at, id): the
 * position of the last row shown, base64url encoded, in the same format every list of the API
 * hands out.
 */
public record PageCursor(OffsetDateTime at, String id) {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;
  private static final String VERSION = "c1";

  public static String encode(OffsetDateTime at, String id) {
    Instant i = at.toInstant();
    long micros = Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
    String raw = VERSION + ":" + micros + ":" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Null for a null cursor; {@link IllegalArgumentException} for anything this API did not hand out. */
  public static PageCursor decode(String cursor) {
    if (cursor == null) {
      return null;
    }
    String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    String[] parts = raw.split(":", 3);
    if (parts.length != 3 || !VERSION.equals(parts[0]) || parts[2].isEmpty() || parts[2].length() > 64) {
      throw new IllegalArgumentException("not a cursor");
    }
    long micros = Long.parseLong(parts[1]);
    Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    return new PageCursor(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), parts[2]);
  }

  /** A page size from a query value: null = the default; otherwise 1..{@value #MAX_LIMIT}, else -1. */
  public static int limit(Object raw) {
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      long n = raw instanceof Number num ? num.longValue() : Long.parseLong(raw.toString());
      return n < 1 || n > MAX_LIMIT ? -1 : (int) n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
