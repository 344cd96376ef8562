package dev.chrysalis.forge.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The contract at {@code GET /openapi.yaml} and Swagger UI at {@code GET /docs}, served from
 * the swagger-ui webjar inside the jar.
 */
final class DocsRoutes {

  static final String SWAGGER_UI_VERSION = "5.34.1";

  private static final String PAGE = """
    <!doctype html>
    <html lang="en">
    <head>
      <meta charset="utf-8">
      <title>Chrysalis Forge API</title>
      <link rel="stylesheet" href="/docs/swagger-ui/swagger-ui.css">
    </head>
    <body>
      <div id="swagger-ui"></div>
      <script src="/docs/swagger-ui/swagger-ui-bundle.js"></script>
      <script>
        window.ui = SwaggerUIBundle({ url: "/openapi.yaml", dom_id: "#swagger-ui" });
      </script>
    </body>
    </html>
    """;

  private DocsRoutes() {
  }

  static void mount(Router router, Buffer contract) {
    router.get("/openapi.yaml").handler(ctx -> {
      ctx.put(RequestLog.ROUTE, "/openapi.yaml");
      ctx.response().putHeader("content-type", "application/yaml; charset=utf-8").end(contract);
    });
    router.get("/docs").handler(ctx -> {
      ctx.put(RequestLog.ROUTE, "/docs");
      ctx.response().putHeader("content-type", "text/html; charset=utf-8").end(PAGE);
    });
    router.get("/docs/swagger-ui/*").handler(StaticHandler
      .create("META-INF/resources/webjars/swagger-ui/" + SWAGGER_UI_VERSION)
      .setCachingEnabled(true)
      .setDirectoryListing(false));
  }
}
