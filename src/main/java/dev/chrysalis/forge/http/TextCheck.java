package dev.chrysalis.forge.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.List;
import java.util.Map;

/**
 * Applies {@link StorableText} to everything a request carries, once, for every operation:
 * {@link #headersAndQuery} runs before anything else (credentials and the org id are read from
 * them before the body), {@link #path} on the
 * router's decoded path parameters, and {@link #body} on the parsed body before the handler. A
 * refusal is a 400 in our shape whose {@code param} names the field.
 */
final class TextCheck {

  private static final String CODE = "invalid_text";

  private TextCheck() {
  }

  static void headersAndQuery(RoutingContext ctx) {
    for (Map.Entry<String, String> h : ctx.request().headers()) {
      if (refuse(ctx, "header", h.getKey(), h.getValue()) || refuse(ctx, "header", h.getKey(), h.getKey())) {
        return;
      }
    }
    MultiMap query;
    try {
      query = ctx.queryParams();
    } catch (RuntimeException undecodable) {
      // the contract validation answers a query string that cannot be decoded
      ctx.next();
      return;
    }
    for (Map.Entry<String, String> q : query) {
      if (refuse(ctx, "query parameter", q.getKey(), q.getKey()) || refuse(ctx, "query parameter", q.getKey(), q.getValue())) {
        return;
      }
    }
    ctx.next();
  }

  /** Path parameters as the router decoded them, before the contract validation parses them. */
  static void path(RoutingContext ctx) {
    for (Map.Entry<String, String> p : ctx.pathParams().entrySet()) {
      if (refuse(ctx, "path parameter", p.getKey(), p.getValue())) {
        return;
      }
    }
    ctx.next();
  }

  /** Every key and string of the body the contract validation parsed. */
  static void body(RoutingContext ctx) {
    ValidatedRequest validated = Routes.validated(ctx);
    if (validated != null) {
      RequestParameter body = validated.getBody();
      if (body != null && !body.isNull()) {
        Finding found = find(body.get());
        if (found != null) {
          ApiError.send(ctx, 400, CODE, found.param() == null
            ? "Invalid body: " + found.problem() + "."
            : "Invalid value for body field '" + found.param() + "': " + found.problem() + ".", found.param());
          return;
        }
      }
    }
    ctx.next();
  }

  /** Unstorable text found in a parsed JSON value: where ({@code a.b[0].c}, null for the value itself) and why. */
  record Finding(String param, String problem) {
  }

  /**
   * The first unstorable key or string in a parsed JSON value, or null. Names are built only for
   * what is found, so a clean body costs one pass over its strings.
   */
  static Finding find(Object value) {
    if (value instanceof String s) {
      String problem = StorableText.problem(s);
      return problem == null ? null : new Finding(null, problem);
    }
    if (value instanceof JsonObject o) {
      value = o.getMap();
    } else if (value instanceof JsonArray a) {
      value = a.getList();
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        String problem = StorableText.problem(key);
        if (problem != null) {
          return new Finding(StorableText.printable(key), problem);
        }
        Finding inner = find(e.getValue());
        if (inner != null) {
          return new Finding(join(StorableText.printable(key), inner.param()), inner.problem());
        }
      }
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Finding inner = find(list.get(i));
        if (inner != null) {
          return new Finding(join("[" + i + "]", inner.param()), inner.problem());
        }
      }
    }
    return null;
  }

  private static String join(String outer, String inner) {
    if (inner == null) {
      return outer;
    }
    return inner.startsWith("[") ? outer + inner : outer + "." + inner;
  }

  private static boolean refuse(RoutingContext ctx, String kind, String name, String text) {
    String problem = text == null ? null : StorableText.problem(text);
    if (problem == null) {
      return false;
    }
    String param = name == null ? null : StorableText.printable(name);
    String message = param == null
      ? "Invalid " + kind + ": " + problem + "."
      : "Invalid value for " + kind + " '" + param + "': " + problem + ".";
    ApiError.send(ctx, 400, CODE, message, param);
    return true;
  }
}
