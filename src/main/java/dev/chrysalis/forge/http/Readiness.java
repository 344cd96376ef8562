package dev.chrysalis.forge.http;

import dev.chrysalis.forge.store.Pools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * What {@code GET /health/ready} checks: PostgreSQL answers, Redis answers (when configured),
 * this node is an active cluster member (when clustered). A load balancer takes a node out of
 * rotation while any check is down.
 */
final class Readiness {

  static final long CHECK_TIMEOUT_MS = 1_500;

  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;

  Readiness(Vertx vertx, Pool pool, JsonObject config) {
    this.vertx = vertx;
    this.pool = pool;
    String redisUrl = config.getJsonObject("ratelimit", new JsonObject()).getString("redis_url", "");
    this.redis = redisUrl == null || redisUrl.isBlank() ? null
      : Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(1)
        .setMaxPoolWaiting(16));
  }

  void mount(Routes routes, String version) {
    routes.open("getReadiness", ctx -> check().onComplete(ar -> {
      JsonObject checks = ar.succeeded() ? ar.result() : new JsonObject();
      boolean ready = ar.succeeded() && allUp(checks);
      JsonObject body = new JsonObject().put("status", ready ? "ok" : "unavailable").put("version", version)
        .put("timestamp", Instant.now().toString()).put("checks", checks);
      if (!ready) {
        body.put("error", ApiError.body(503, "not_ready", "A dependency of this node is down: " + down(checks) + ".", null)
          .getJsonObject("error"));
        ctx.response().putHeader("retry-after", "1");
      }
      ctx.response().setStatusCode(ready ? 200 : 503).putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store").end(body.toBuffer());
    }));
  }

  private static String down(JsonObject checks) {
    return String.join(", ", checks.stream()
      .filter(e -> "down".equals(((JsonObject) e.getValue()).getString("status"))).map(java.util.Map.Entry::getKey).toList());
  }

  /** {database, redis, cluster}: each {status: up | down | disabled, …}. */
  Future<JsonObject> check() {
    Future<JsonObject> db = Pools.ping(pool, CHECK_TIMEOUT_MS).transform(ar -> Future.succeededFuture(status(ar.succeeded())));
    Future<JsonObject> rd = redis == null ? Future.succeededFuture(disabled())
      : redis.send(Request.cmd(Command.PING)).timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> Future.succeededFuture(status(ar.succeeded())));
    return Future.all(db, rd).map(v -> new JsonObject()
      .put("database", db.result()).put("redis", rd.result()).put("cluster", cluster()));
  }

  static boolean allUp(JsonObject checks) {
    return checks.stream().noneMatch(e -> "down".equals(((JsonObject) e.getValue()).getString("status")));
  }

  private JsonObject cluster() {
    if (!vertx.isClustered()) {
      return disabled();
    }
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    boolean member = cm.isActive() && cm.getNodes().contains(cm.getNodeId());
    return status(member).put("members", member ? cm.getNodes().size() : 0);
  }

  private static JsonObject status(boolean up) {
    return new JsonObject().put("status", up ? "up" : "down");
  }

  private static JsonObject disabled() {
    return new JsonObject().put("status", "disabled");
  }

  Future<Void> close() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }
}
