package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.regex.Pattern;

/**
 * Maps what an upstream said went wrong to our status and error shape. The upstream body is
 * never passed through: only its message, redacted (keys, URLs) and shortened. Accepts every
 * shape providers use: {@code error} object or string, top-level {@code message} or
 * {@code detail}, Gemini {@code status}, arrays of those, or text.
 */
public final class UpstreamError {

  private static final int MAX_MESSAGE = 400;
  private static final Pattern KEYISH = Pattern.compile(
    "(sk-[A-Za-z0-9*_\\-.…]{3,}|AIza[0-9A-Za-z_\\-]{10,}|chs_[0-9A-Za-z]{8,}|(?i:bearer)\\s+\\S+|[A-Za-z0-9_\\-]{32,})");
  private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?|wss?)://\\S+");

  private UpstreamError() {
  }

  /** What the body says: the message and a machine-readable hint (error type, code or status). */
  record Parsed(String message, String kind) {
  }

  static Parsed parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return new Parsed(null, null);
    }
    Object json;
    String text = body.toString().trim();
    try {
      json = text.startsWith("{") ? new JsonObject(text) : text.startsWith("[") ? new JsonArray(text) : null;
    } catch (DecodeException | ClassCastException e) {
      return new Parsed(null, null);
    }
    if (json instanceof JsonArray arr && !arr.isEmpty() && arr.getValue(0) instanceof JsonObject first) {
      json = first;
    }
    if (!(json instanceof JsonObject o)) {
      return new Parsed(null, null);
    }
    return parse(o);
  }

  static Parsed parse(JsonObject o) {
    Object err = o.getValue("error");
    if (err instanceof JsonObject e) {
      String kind = firstString(e, "status", "type", "code");
      Object details = e.getValue("details");
      if (details instanceof JsonArray d && d.encode().contains("API_KEY_INVALID")) {
        kind = "API_KEY_INVALID";
      }
      return new Parsed(text(e.getValue("message")), kind);
    }
    if (err instanceof String s) {
      return new Parsed(s, null);
    }
    if (o.getValue("message") != null) {
      return new Parsed(text(o.getValue("message")), firstString(o, "type", "code"));
    }
    if (o.getValue("detail") != null) {
      return new Parsed(text(o.getValue("detail")), null);
    }
    return new Parsed(null, null);
  }

  private static String firstString(JsonObject o, String... keys) {
    for (String k : keys) {
      Object v = o.getValue(k);
      if (v instanceof String s && !s.isBlank()) {
        return s;
      }
    }
    return null;
  }

  private static String text(Object v) {
    if (v == null) {
      return null;
    }
    return v instanceof String s ? s : (v instanceof JsonObject || v instanceof JsonArray ? v.toString() : String.valueOf(v));
  }

  /** Removes anything that looks like a key or a URL, and caps the length. */
  public static String redact(String message, String key) {
    if (message == null) {
      return null;
    }
    String m = message;
    if (key != null && key.length() >= 4) {
      m = m.replace(key, "[redacted]");
    }
    m = URL.matcher(m).replaceAll("[url]");
    m = KEYISH.matcher(m).replaceAll("[redacted]");
    m = m.replaceAll("[\\u0000-\\u001F\\u007F]", " ").trim();
    return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "…" : m;
  }

  /**
   * Our failure for an upstream HTTP error. Upstream 401/403 (and Gemini's API_KEY_INVALID) mean
   * the key we sent is bad: with the service's own key that is our problem (502), with the
   * user's key it is theirs (same status). 429/503/529 keep the upstream's retry-after.
   */
  public static ServiceException of(String provider, int status, Buffer body, String retryAfter, Credentials creds) {
    Parsed p = parse(body);
    String said = redact(p.message(), creds == null ? null : creds.key());
    String kind = p.kind() == null ? "" : p.kind();
    String prefix = "The " + provider + " provider ";
    boolean keyRejected = status == 401 || status == 403 || "API_KEY_INVALID".equals(kind);
    boolean byok = creds != null && creds.byok();
    boolean quotaGone = "insufficient_quota".equals(kind) || "billing_error".equals(kind) || status == 402;

    if (keyRejected) {
      return byok
        ? error(status == 403 ? 403 : 401, "provider_key_rejected",
          prefix + "rejected your provider key" + suffix(said), null, false)
        : error(502, "upstream_auth_failed", prefix + "rejected the service's key. The operators have been alerted.",
          null, false);
    }
    if (quotaGone) {
      return byok
        ? error(402, "provider_quota_exhausted", prefix + "reports the quota of your provider key is used up" + suffix(said), null, false)
        : error(502, "upstream_quota_exhausted", prefix + "refused the service's key for billing reasons.", null, false);
    }
    if (status == 429) {
      return error(429, "upstream_rate_limited", prefix + "is rate limiting requests" + suffix(said),
        retrySeconds(retryAfter, 1), null);
    }
    if (status == 503 || status == 529) {
      return error(503, "upstream_unavailable", prefix + "is overloaded or unavailable" + suffix(said),
        retrySeconds(retryAfter, 5), null);
    }
    if (status == 408 || status == 504) {
      return error(504, "upstream_timeout", prefix + "timed out" + suffix(said), null, null);
    }
    if (status >= 500) {
      return error(502, "upstream_error", prefix + "failed (HTTP " + status + ")" + suffix(said), null, null);
    }
    if (status == 404) {
      return error(404, "model_not_found", prefix + "does not know this model or route" + suffix(said), null, null);
    }
    int s = status >= 400 && status < 500 ? status : 502;
    return error(s, "upstream_rejected", prefix + "rejected the request" + suffix(said), null, null);
  }

  /** An upstream connection or timeout failure, before or during a call. */
  public static ServiceException transport(String provider, Throwable t) {
    String name = t.getClass().getSimpleName();
    String msg = t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
    if (t instanceof UpstreamTimeout || name.contains("Timeout") || msg.contains("timed out") || msg.contains("timeout")) {
      return error(504, "upstream_timeout", "The " + provider + " provider did not answer in time.", null, null);
    }
    return error(502, "upstream_unreachable", "The " + provider + " provider could not be reached.", null, null);
  }

  private static String suffix(String said) {
    return said == null || said.isBlank() ? "." : ": " + said;
  }

  private static ServiceException error(int status, String code, String message, Long retryAfter, Boolean shouldRetry) {
    ServiceException e = Errors.error(status, code, message, null);
    if (retryAfter != null) {
      e.getDebugInfo().put("retry_after", retryAfter);
    }
    if (shouldRetry != null) {
      e.getDebugInfo().put("should_retry", shouldRetry);
    }
    return e;
  }

  static Long retrySeconds(String header, long fallback) {
    Long ms = retryAfterMillis(header, System.currentTimeMillis());
    return ms == null ? fallback : Math.max(1, (ms + 999) / 1000);
  }

  /** A {@code retry-after} value (seconds, or an HTTP date) as milliseconds from now; null when absent or unreadable. */
  static Long retryAfterMillis(String header, long nowMs) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      double seconds = Double.parseDouble(header.trim());
      return Double.isFinite(seconds) ? Math.max(0, (long) Math.ceil(seconds * 1000)) : null;
    } catch (NumberFormatException e) {
      try {
        long at = java.time.ZonedDateTime.parse(header.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
          .toInstant().toEpochMilli();
        return Math.max(0, at - nowMs);
      } catch (RuntimeException unreadable) {
        return null;
      }
    }
  }

  /** The OpenAI-shaped error object sent as the last event of a broken stream. */
  public static JsonObject streamEvent(ServiceException e) {
    JsonObject info = e.getDebugInfo() == null ? new JsonObject() : e.getDebugInfo();
    int status = e.failureCode();
    String type = Errors.typeFor(status);
    return new JsonObject().put("error", new JsonObject()
      .put("message", e.getMessage())
      .put("type", type)
      .put("code", info.getString("code"))
      .putNull("param"));
  }

  /** A timeout the gateway itself detected (first byte or idle between chunks). */
  public static final class UpstreamTimeout extends RuntimeException {
    public UpstreamTimeout(String what) {
      super(what, null, false, false);
    }
  }
}
