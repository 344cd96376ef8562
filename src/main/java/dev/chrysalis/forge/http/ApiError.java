package dev.chrysalis.forge.http;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes the one error shape: {@code {"error":{"message","type","code","param"}}}. */
public final class ApiError {

  private ApiError() {
  }

  public static String typeFor(int status) {
    return Errors.typeFor(status);
  }

  public static JsonObject body(int status, String code, String message, String param) {
    return new JsonObject().put("error", new JsonObject()
      .put("message", message)
      .put("type", typeFor(status))
      .put("code", code)
      .put("param", param));
  }

  public static void send(RoutingContext ctx, int status, String code, String message, String param) {
    send(ctx, status, body(status, code, message, param));
  }

  public static void send(RoutingContext ctx, int status, JsonObject body) {
    send(ctx.response(), status, body);
  }

  /** For answers given outside the router (a request the HTTP decoder refused). */
  public static void send(HttpServerResponse res, int status, JsonObject body) {
    if (res.ended() || res.closed()) {
      return;
    }
    if (res.headWritten()) {
      // a stream already began: nothing sensible can be appended in another shape
      res.reset();
      return;
    }
    res.setStatusCode(status)
      .putHeader("content-type", "application/json")
      .end(body.toBuffer());
  }
}
