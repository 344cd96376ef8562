package dev.chrysalis.forge.http;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure a route can produce (service errors from the bus, contract validation,
 * authentication, routing misses, body limits, bugs) into our error shape. Nothing internal
 * (stack, SQL, upstream URL) reaches the client; 5xx causes are logged by class and message.
 */
public final class FailureMapper {

  private static final Logger LOG = LoggerFactory.getLogger(FailureMapper.class);

  private FailureMapper() {
  }

  public static void handle(RoutingContext ctx) {
    Throwable failure = unwrapAuthDependencyFailure(ctx.failure());
    int status = ctx.statusCode();

    if (failure instanceof ServiceException se) {
      serviceError(ctx, se);
      return;
    }
    if (failure instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        ApiError.send(ctx, 503, "service_timeout", "An internal service did not answer in time. Try again.", null);
      } else {
        LOG.error("bus failure on {}: {}", ctx.normalizedPath(), re.getMessage());
        ApiError.send(ctx, 503, "service_unavailable", "An internal service is unavailable. Try again.", null);
      }
      return;
    }
    // the validator can also throw outside the router's HttpException, e.g. on an undecodable query value
    if (failure instanceof ValidatorException ve) {
      validationError(ctx, ve);
      return;
    }
    if (failure instanceof HttpException he) {
      status = he.getStatusCode();
      if (he.getCause() instanceof ValidatorException ve) {
        validationError(ctx, ve);
        return;
      }
    }
    switch (status) {
      case 400 -> ApiError.send(ctx, 400, "bad_request", "The request is malformed.", null);
      case 401 -> {
        ctx.response().headers().remove("www-authenticate");
        ctx.response().putHeader("www-authenticate", "Bearer realm=\"chrysalis-forge\"");
        ApiError.send(ctx, 401, "invalid_credentials",
          "Authentication required: send a valid session token or API key (Authorization: Bearer …).", null);
      }
      case 403 -> ApiError.send(ctx, 403, "forbidden", "You are not allowed to do this.", null);
      case 404 -> ApiError.send(ctx, 404, "route_not_found",
        "No such route: " + ctx.request().method() + " " + safePath(ctx), null);
      case 405 -> ApiError.send(ctx, 405, "method_not_allowed",
        "Method " + ctx.request().method() + " is not allowed on " + safePath(ctx) + ".", null);
      case 413 -> ApiError.send(ctx, 413, "request_too_large", "The request body is larger than this server accepts.", null);
      case 415 -> ApiError.send(ctx, 415, "unsupported_media_type", "Send the body as application/json.", null);
      default -> {
        if (failure != null) {
          LOG.error("unhandled failure on {} {}: {}: {}", ctx.request().method(), ctx.normalizedPath(),
            failure.getClass().getName(), failure.getMessage());
        }
        int s = status >= 400 && status < 600 && status != 500 ? status : 500;
        ApiError.send(ctx, s, s == 500 ? "internal_error" : "error",
          s == 500 ? "The server could not complete the request." : "The request failed.", null);
      }
    }
  }

  /** A 503 from {@link AuthUnavailable}: answer for the cause (bus timeout, AuthService's 503). */
  private static Throwable unwrapAuthDependencyFailure(Throwable failure) {
    if (failure instanceof HttpException he && he.getStatusCode() == 503
      && AuthUnavailable.dependencyFailure(he.getCause())) {
      return he.getCause();
    }
    return failure;
  }

  private static void serviceError(RoutingContext ctx, ServiceException se) {
    int status = se.failureCode();
    if (status < 400 || status > 599) {
      LOG.error("service failure with code {}: {}", status, se.getMessage());
      ApiError.send(ctx, 500, "internal_error", "The server could not complete the request.", null);
      return;
    }
    JsonObject info = se.getDebugInfo() == null ? new JsonObject() : se.getDebugInfo();
    JsonObject body = ApiError.body(status, info.getString("code"), se.getMessage(), info.getString("param"));
    Object retryAfter = info.getValue("retry_after");
    if (retryAfter instanceof Number n) {
      body.getJsonObject("error").put("retry_after", n.longValue());
      ctx.response().putHeader("retry-after", String.valueOf(n.longValue()));
    }
    JsonObject extra = info.getJsonObject("extra");
    if (extra != null) {
      body.getJsonObject("error").mergeIn(extra);
    }
    ApiError.send(ctx, status, body);
  }

  private static void validationError(RoutingContext ctx, ValidatorException ve) {
    if (ve.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
      ApiError.send(ctx, 415, "unsupported_media_type", "Send the body as application/json.", null);
      return;
    }
    if (ve.type() == ValidatorErrorType.ILLEGAL_VALUE) {
      ApiError.send(ctx, 400, "invalid_json", "The request body is not valid JSON.", null);
      return;
    }
    if (ve instanceof SchemaValidationException sve) {
      OutputUnit worst = deepest(sve.getOutputUnit());
      String reason = worst == null || worst.getError() == null ? "invalid value" : worst.getError();
      String param = pointerToParam(worst == null ? null : worst.getInstanceLocation());
      String named = namedProperty(reason);
      if (named != null && (param == null || !(param.equals(named) || param.endsWith("." + named)))) {
        param = param == null ? named : param + "." + named;
      }
      String where = param == null ? parameterName(ve.getMessage()) : param;
      ApiError.send(ctx, 400, "invalid_request",
        (where == null ? "Invalid request: " : "Invalid value for '" + where + "': ") + reason, where);
      return;
    }
    String name = parameterName(ve.getMessage());
    if (ve.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER) {
      ApiError.send(ctx, 400, "missing_parameter",
        name == null ? "The request body is required." : "Missing required parameter '" + name + "'.", name);
      return;
    }
    ApiError.send(ctx, 400, "invalid_request",
      name == null ? "Invalid request." : "Invalid value for parameter '" + name + "'.", name);
  }

  /** The most specific error of a validation result: the one with the longest instance path. */
  private static OutputUnit deepest(OutputUnit unit) {
    if (unit == null) {
      return null;
    }
    OutputUnit best = unit.getError() != null ? unit : null;
    if (unit.getErrors() != null) {
      for (OutputUnit child : unit.getErrors()) {
        OutputUnit c = deepest(child);
        if (c != null && (best == null || length(c) > length(best))) {
          best = c;
        }
      }
    }
    return best;
  }

  private static int length(OutputUnit u) {
    return u.getInstanceLocation() == null ? 0 : u.getInstanceLocation().length();
  }

  /** JSON pointer {@code /messages/0/content} → {@code messages[0].content}; null for the root. */
  static String pointerToParam(String pointer) {
    if (pointer == null) {
      return null;
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (p.isEmpty() || p.equals("/")) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (String part : p.substring(1).split("/")) {
      String token = part.replace("~1", "/").replace("~0", "~");
      if (!token.isEmpty() && token.chars().allMatch(Character::isDigit)) {
        sb.append('[').append(token).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(token);
      }
    }
    return sb.toString();
  }

  /** json-schema names the property in "required property" and "additional property" errors. */
  private static String namedProperty(String reason) {
    java.util.regex.Matcher m = java.util.regex.Pattern
      .compile("(?:required property|Property) \"([^\"]{1,100})\"").matcher(reason);
    return m.find() ? m.group(1) : null;
  }

  /** vertx-openapi names the parameter in its message as {@code ... parameter <name> ...}. */
  private static String parameterName(String message) {
    if (message == null) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("parameter (\\S+?)(?: of| is|:|\\.|$)").matcher(message);
    return m.find() ? m.group(1) : null;
  }

  private static String safePath(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path == null) {
      return "/";
    }
    return path.length() > 200 ? path.substring(0, 200) + "…" : path;
  }
}
