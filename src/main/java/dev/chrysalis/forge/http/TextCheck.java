package dev.chrysalis.forge.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

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
        Object value = body.get();
        if (value instanceof String s ? refuse(ctx, "body", null, s) : refuseJson(ctx, null, value)) {
          return;
        }
      }
    }
    ctx.next();
  }

  /** Walks a parsed JSON value; {@code where} is its name in our {@code a.b[0].c} form (null for the root). */
  private static boolean refuseJson(RoutingContext ctx, String where, Object value) {
    if (value instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String name = where == null ? e.getKey() : where + "." + e.getKey();
        if (refuse(ctx, "body field", StorableText.printable(name), e.getKey())) {
          return true;
        }
        if (refuseJson(ctx, name, e.getValue())) {
          return true;
        }
      }
    } else if (value instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        if (refuseJson(ctx, (where == null ? "" : where) + "[" + i + "]", a.getValue(i))) {
          return true;
        }
      }
    } else if (value instanceof String s) {
      return refuse(ctx, "body field", where, s);
    }
    return false;
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
