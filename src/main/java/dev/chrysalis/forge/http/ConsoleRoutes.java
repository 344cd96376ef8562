package dev.chrysalis.forge.http;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * The web console: the page at {@code GET /} (never cached, so a deploy is seen at once) and its
 * assets at {@code GET /console/<version>/…} (cached for a year: the version is a content hash).
 * Every answer carries a strict Content-Security-Policy: scripts, styles and connections only
 * from this origin, no inline script or style, no framing.
 */
final class ConsoleRoutes {

  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    + "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  private static final String PREFIX = "/console/";

  private ConsoleRoutes() {
  }

  static void mount(Router router, ConsoleAssets assets) {
    router.get("/").handler(ctx -> {
      ctx.put(RequestLog.ROUTE, "/");
      secure(ctx.response().headers())
        .set("content-type", "text/html; charset=utf-8")
        .set("cache-control", "no-store");
      ctx.response().end(assets.index());
    });
    router.get(PREFIX + "*").handler(ctx -> {
      ctx.put(RequestLog.ROUTE, PREFIX + "*");
      String rest = ctx.normalizedPath().substring(PREFIX.length());
      int slash = rest.indexOf('/');
      Buffer file = slash < 0 || !rest.substring(0, slash).equals(assets.version()) ? null
        : assets.file(rest.substring(slash + 1));
      if (file == null) {
        ctx.fail(404);
        return;
      }
      secure(ctx.response().headers())
        .set("content-type", ConsoleAssets.contentType(rest))
        .set("cache-control", "public, max-age=31536000, immutable");
      ctx.response().end(file);
    });
  }

  private static MultiMap secure(MultiMap headers) {
    return headers
      .set("content-security-policy", CSP)
      .set("x-content-type-options", "nosniff")
      .set("referrer-policy", "no-referrer")
      .set("x-frame-options", "DENY");
  }
}
