package dev.chrysalis.forge.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.concurrent.TimeUnit;

/**
 * One shared PostgreSQL pool per Vertx instance: every verticle asks for it by name, so the
 * connection count stays at {@code database.pool_size} however many verticles run.
 *
 * <p>Every connection opens with {@code statement_timeout} and
 * {@code idle_in_transaction_session_timeout} set ({@code database.statement_timeout_ms}): the
 * server cancels a statement that runs longer, and closes a connection left inside a transaction,
 * so no request can hold a connection for minutes. The timeout sits below the bus timeout of the
 * services (15 s), so the database gives up on work before the caller that waits for it does.
 */
public final class Pools {

  public static final String SHARED_NAME = "forge-pg";
  public static final long DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

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
    return PgBuilder.pool().with(options).connectingTo(withTimeouts(target.connectOptions(), statementTimeoutMs(config)))
      .using(vertx).build();
  }

  /** {@code database.statement_timeout_ms}; 0 turns the server-side timeouts off. */
  public static long statementTimeoutMs(JsonObject config) {
    long ms = config.getJsonObject("database", new JsonObject()).getLong("statement_timeout_ms", DEFAULT_STATEMENT_TIMEOUT_MS);
    if (ms < 0) {
      throw new IllegalArgumentException("database.statement_timeout_ms must be 0 (off) or positive");
    }
    return ms;
  }

  /** Session settings sent in the startup message of every connection. */
  static PgConnectOptions withTimeouts(PgConnectOptions options, long statementTimeoutMs) {
    if (statementTimeoutMs > 0) {
      options.addProperty("statement_timeout", Long.toString(statementTimeoutMs));
      // a transaction a caller stopped driving releases its locks and connection as quickly
      options.addProperty("idle_in_transaction_session_timeout", Long.toString(statementTimeoutMs));
    }
    return options;
  }

  /** Cheap liveness probe of the database, bounded by a timeout. */
  public static Future<Void> ping(Pool pool, long timeoutMs) {
    return pool.query("SELECT 1").execute().<Void>mapEmpty().timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
