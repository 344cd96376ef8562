package dev.chrysalis.forge.http;

import dev.chrysalis.forge.store.Pools;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Instant;

/** {@code GET /health}: cheap liveness that also says whether the database answers. */
final class SystemRoutes {

  private static final long DB_PING_TIMEOUT_MS = 2_000;

  private final Pool pool;
  private final String version;

  SystemRoutes(Pool pool, String version) {
    this.pool = pool;
    this.version = version;
  }

  void mount(Routes routes) {
    routes.open("getHealth", ctx -> Pools.ping(pool, DB_PING_TIMEOUT_MS).onComplete(ar -> {
      JsonObject body = new JsonObject().put("version", version).put("timestamp", Instant.now().toString());
      if (ar.succeeded()) {
        body.put("status", "ok");
        ctx.response().setStatusCode(200);
      } else {
        body.put("status", "unavailable")
          .put("error", ApiError.body(503, "database_unavailable", "The database does not answer.", null)
            .getJsonObject("error"));
        ctx.response().setStatusCode(503);
      }
      ctx.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
        .end(body.toBuffer());
    }));
  }
}
