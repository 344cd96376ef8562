package dev.chrysalis.forge.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.concurrent.TimeUnit;

/**
 * One shared PostgreSQL pool per Vertx instance: every verticle asks for it by name, so the
 * connection count stays at {@code database.pool_size} however many verticles run.
 */
public final class Pools {

  public static final String SHARED_NAME = "forge-pg";

  private Pools() {
  }

  public static Pool shared(Vertx vertx, JsonObject config) {
    JsonObject db = config.getJsonObject("database", new JsonObject());
    DatabaseTarget target = DatabaseTarget.fromJson(db.getJsonObject("connect"));
    PoolOptions options = new PoolOptions()
      .setShared(true)
      .setName(SHARED_NAME)
      .setMaxSize(db.getInteger("pool_size", 10))
      .setMaxWaitQueueSize(2048)
      .setConnectionTimeout(5)
      .setConnectionTimeoutUnit(TimeUnit.SECONDS)
      .setIdleTimeout(5)
      .setIdleTimeoutUnit(TimeUnit.MINUTES);
    return PgBuilder.pool().with(options).connectingTo(target.connectOptions()).using(vertx).build();
  }

  /** Cheap liveness probe of the database, bounded by a timeout. */
  public static Future<Void> ping(Pool pool, long timeoutMs) {
    return pool.query("SELECT 1").execute().<Void>mapEmpty().timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
