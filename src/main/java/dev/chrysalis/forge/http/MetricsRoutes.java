package dev.chrysalis.forge.http;

import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics} in the Prometheus text format. With {@code metrics.token} set, only a
 * request bearing that token is answered; without it, only a direct loopback connection (no
 * forwarding header) is, so a node behind a load balancer never exposes its metrics by mistake.
 */
final class MetricsRoutes {

  private final Metrics metrics;
  private final byte[] token;
  private final boolean enabled;

  MetricsRoutes(Vertx vertx, JsonObject config) {
    JsonObject m = config.getJsonObject("metrics", new JsonObject());
    this.enabled = m.getBoolean("enabled", true);
    String t = m.getString("token", "");
    this.token = t == null || t.isBlank() ? null : t.getBytes(StandardCharsets.UTF_8);
    this.metrics = Metrics.of(vertx);
  }

  void mount(Routes routes) {
    routes.open("getMetrics", this::scrape);
  }

  private void scrape(RoutingContext ctx) {
    if (!enabled) {
      ApiError.send(ctx, 404, "metrics_disabled", "Metrics are disabled on this server (CHRYSALIS_METRICS_ENABLED).", null);
      return;
    }
    if (token != null) {
      String auth = ctx.request().getHeader("authorization");
      byte[] given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
        ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
      if (!MessageDigest.isEqual(given, token)) {
        ctx.response().putHeader("www-authenticate", "Bearer realm=\"metrics\"");
        ApiError.send(ctx, 401, "invalid_metrics_token", "Send the metrics token as Authorization: Bearer <token>.", null);
        return;
      }
    } else if (!directLoopback(ctx)) {
      ApiError.send(ctx, 403, "metrics_loopback_only",
        "Metrics are served to loopback clients only unless CHRYSALIS_METRICS_TOKEN is set.", null);
      return;
    }
    ctx.response().putHeader("content-type", "text/plain; charset=utf-8")
      .putHeader("cache-control", "no-store").end(metrics.scrape());
  }

  private static boolean directLoopback(RoutingContext ctx) {
    if (ctx.request().getHeader("x-forwarded-for") != null || ctx.request().getHeader("forwarded") != null) {
      return false;
    }
    var remote = ctx.request().connection().remoteAddress();
    if (remote == null || remote.hostAddress() == null) {
      return false;
    }
    try {
      return InetAddress.getByName(remote.hostAddress()).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
