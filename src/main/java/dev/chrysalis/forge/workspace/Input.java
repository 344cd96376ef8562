package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.text.VisibleText;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks on request fields. HTTP requests are already shaped by the contract; these hold the
 * same limits for callers on the bus, which no router checks.
 */
final class Input {

  static final Pattern SLUG = Pattern.compile("^[a-z0-9-]{1,64}$");
  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private static final Pattern CONTROL = Pattern.compile("[\\u0000-\\u001F\\u007F]");
  static final int MAX_JSON_BYTES = 16 * 1024;

  private Input() {
  }

  /**
   * An optional single-line text, trimmed of spaces of every kind; null when absent or blank.
   * Names and titles other users see come through here, so it holds {@link VisibleText}'s rule.
   */
  static String line(JsonObject r, String key, int max) throws ServiceException {
    Object v = r.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.length() > max || CONTROL.matcher(s).find()) {
      throw Errors.error(400, "invalid_request", "'" + key + "' must be a single line of at most " + max + " characters.", key);
    }
    String t = VisibleText.trim(s);
    if (VisibleText.hasHidden(t)) {
      throw Errors.error(400, "hidden_characters", "'" + key
        + "' may not contain invisible or bidirectional control characters, or spaces other than U+0020.", key);
    }
    return t.isEmpty() ? null : t;
  }

  static String requiredLine(JsonObject r, String key, int max) throws ServiceException {
    String s = line(r, key, max);
    if (s == null) {
      throw Errors.error(400, "missing_parameter", "'" + key + "' is required.", key);
    }
    return s;
  }

  /** Free text (newlines allowed), not trimmed. */
  static String text(JsonObject r, String key, int max) throws ServiceException {
    Object v = r.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.length() > max) {
      throw Errors.error(400, "invalid_request", "'" + key + "' must be text of at most " + max + " characters.", key);
    }
    return s;
  }

  static String id(JsonObject r, String key) throws ServiceException {
    Object v = r.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || !ID.matcher(s).matches()) {
      throw Errors.error(400, "invalid_request", "'" + key + "' is not a valid id.", key);
    }
    return s;
  }

  static String requiredId(JsonObject r, String key) throws ServiceException {
    String s = id(r, key);
    if (s == null) {
      throw Errors.error(400, "missing_parameter", "'" + key + "' is required.", key);
    }
    return s;
  }

  static String oneOf(JsonObject r, String key, Set<String> allowed) throws ServiceException {
    Object v = r.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || !allowed.contains(s)) {
      throw Errors.error(400, "invalid_request", "'" + key + "' must be one of " + String.join(", ", allowed) + ".", key);
    }
    return s;
  }

  /** An optional JSON object of at most {@value #MAX_JSON_BYTES} bytes encoded. */
  static JsonObject object(JsonObject r, String key) throws ServiceException {
    Object v = r.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o) || o.toBuffer().length() > MAX_JSON_BYTES) {
      throw Errors.error(400, "invalid_request", "'" + key + "' must be a JSON object of at most "
        + MAX_JSON_BYTES + " bytes.", key);
    }
    return o;
  }

  static Role role(JsonObject r, String key, Role fallback) throws ServiceException {
    String s = oneOf(r, key, Set.of("owner", "admin", "member", "reader"));
    return s == null ? fallback : Role.of(s);
  }

  /** Request facts for audit events, plus the org they concern. */
  static JsonObject auditContext(JsonObject r, String orgId) {
    return new JsonObject().put("ip", r.getString("ip")).put("user_agent", r.getString("user_agent")).put("org_id", orgId);
  }
}
