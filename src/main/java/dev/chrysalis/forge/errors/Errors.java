package dev.chrysalis.forge.errors;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures every service returns over the bus. The failure code is the HTTP status the HTTP
 * layer answers with; the debug info carries our error {@code code}, {@code param} and any extra
 * fields (for example {@code retry_after}). Messages are written for the API user: no SQL, stack
 * or secret ever goes into one.
 */
public final class Errors {

  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

  private Errors() {
  }

  /** The error {@code type} of a status: one table for answers and for a stream's final error event. */
  public static String typeFor(int status) {
    return switch (status) {
      case 400, 405, 415, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "payment_required";
      case 403 -> "permission_denied";
      case 404 -> "not_found";
      case 409 -> "conflict";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_exceeded";
      case 501 -> "not_implemented";
      case 502, 504 -> "upstream_error";
      default -> status >= 500 ? "server_error" : "invalid_request_error";
    };
  }

  public static ServiceException error(int status, String code, String message, String param) {
    JsonObject info = new JsonObject().put("code", code);
    if (param != null) {
      info.put("param", param);
    }
    return new ServiceException(status, message, info);
  }

  public static <T> Future<T> fail(int status, String code, String message) {
    return Future.failedFuture(error(status, code, message, null));
  }

  public static <T> Future<T> badRequest(String code, String message, String param) {
    return Future.failedFuture(error(400, code, message, param));
  }

  public static <T> Future<T> unauthorized(String code, String message) {
    return fail(401, code, message);
  }

  public static <T> Future<T> forbidden(String code, String message) {
    return fail(403, code, message);
  }

  public static <T> Future<T> notFound(String message) {
    return fail(404, "not_found", message);
  }

  /**
   * The one answer to an org context the caller is not a member of (or that names no org): an
   * org the caller does not belong to is invisible to them, so it is never a 403.
   */
  public static ServiceException orgNotFound() {
    return error(404, "org_not_found", "Organization not found.", "org_id");
  }

  public static <T> Future<T> conflict(String code, String message) {
    return fail(409, code, message);
  }

  /**
   * Turns anything that is not already one of our failures into a generic 500, logging the cause
   * once (class and message only; callers never put secrets into exception messages).
   */
  public static <T> Future<T> internal(Throwable t) {
    if (t instanceof ServiceException) {
      return Future.failedFuture(t);
    }
    if (isUnavailable(t)) {
      LOG.warn("dependency unavailable: {}: {}", t.getClass().getName(), t.getMessage());
      ServiceException e = error(503, "service_unavailable", "A backing service is unavailable; try again shortly.", null);
      e.getDebugInfo().put("retry_after", 1);
      return Future.failedFuture(e);
    }
    LOG.error("internal error: {}: {}", t.getClass().getName(), t.getMessage());
    return fail(500, "internal_error", "The server could not complete the request.");
  }

  /**
   * Whether a failure means a dependency (the database, Redis, a peer) could not be reached or
   * dropped the connection, rather than a bug: those answer 503, which clients retry.
   */
  public static boolean isUnavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.SocketException
        || c instanceof java.nio.channels.ClosedChannelException
        || c instanceof java.util.concurrent.TimeoutException
        || c instanceof io.vertx.core.http.ConnectionPoolTooBusyException
        || c instanceof io.vertx.sqlclient.ClosedConnectionException) {
        return true;
      }
      if (c instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P")
        || pg.getSqlState().startsWith("53") || pg.getSqlState().equals("3D000")
        // 57014: the statement timeout cancelled the statement (a busy database, retried later)
        || pg.getSqlState().equals("57014"))) {
        return true;
      }
      String m = c.getMessage();
      if (m != null && (m.startsWith("Connection refused") || m.contains("Timeout") || m.contains("timed out")
        || m.equals("Connection closed") || m.contains("Pool closed")
        // the pg client on a connection the server closed while the request was being written
        || m.startsWith("Connection is not active now"))) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** PostgreSQL unique violation, the way a store detects a duplicate. */
  public static boolean isUniqueViolation(Throwable t) {
    return t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
  }
}
