package dev.chrysalis.forge.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The database the service runs on: the server named by {@code database.url}, or an embedded
 * PostgreSQL whose data lives under {@code <data_dir>/postgres} and survives restarts.
 * Starting and stopping are blocking and run on a worker thread.
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final DatabaseTarget target;
  private final EmbeddedPostgres embedded;

  private Database(DatabaseTarget target, EmbeddedPostgres embedded) {
    this.target = target;
    this.embedded = embedded;
  }

  public static Future<Database> start(Vertx vertx, JsonObject config) {
    JsonObject db = config.getJsonObject("database", new JsonObject());
    String url = db.getString("url", "");
    if (url != null && !url.isBlank()) {
      DatabaseTarget target = DatabaseTarget.fromUrl(url);
      LOG.info("using PostgreSQL at {}", target);
      return Future.succeededFuture(new Database(target, null));
    }
    Path dir = Path.of(config.getString("data_dir", "./data")).toAbsolutePath().normalize().resolve("postgres");
    int port = db.getInteger("embedded_port", 0);
    return vertx.executeBlocking(() -> startEmbedded(dir, port), false);
  }

  private static Database startEmbedded(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    long t0 = System.nanoTime();
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
      .setDataDirectory(dir)
      .setCleanDataDirectory(false)
      .setServerConfig("max_connections", "200")
      .setServerConfig("fsync", "on");
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres pg = builder.start();
    DatabaseTarget target = new DatabaseTarget("localhost", pg.getPort(), "postgres", "postgres", null);
    LOG.info("embedded PostgreSQL started on port {} with data in {} ({} ms)", pg.getPort(), dir,
      (System.nanoTime() - t0) / 1_000_000);
    return new Database(target, pg);
  }

  public DatabaseTarget target() {
    return target;
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  public Future<Void> stop(Vertx vertx) {
    if (embedded == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      embedded.close();
      LOG.info("embedded PostgreSQL stopped");
      return null;
    }, false);
  }
}
