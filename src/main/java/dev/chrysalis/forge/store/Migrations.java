package dev.chrysalis.forge.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Flyway migrations from {@code db/migration}, run at every start before any verticle deploys. */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static Future<Void> run(Vertx vertx, DatabaseTarget target) {
    return vertx.executeBlocking(() -> {
      MigrateResult result = Flyway.configure()
        .dataSource(target.jdbcUrl(), target.user(), target.password())
        .locations("classpath:db/migration")
        .loggers("slf4j")
        .load()
        .migrate();
      LOG.info("database schema at version {} ({} migrations applied)", result.targetSchemaVersion,
        result.migrationsExecuted);
      return null;
    }, false);
  }
}
