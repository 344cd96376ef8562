package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.config.Secrets;
import dev.chrysalis.forge.store.Database;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.store.Pools;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar forge-service.jar vault rewrap}: re-encrypts every stored provider key with the
 * newest key version, against the configured database, while servers keep running. Prints the
 * report as JSON. Exit 0 when every row is on the newest version, 3 when some rows could not be
 * decrypted (they are listed and marked invalid), 2 on usage errors, 1 on failure.
 */
public final class VaultCli {

  private VaultCli() {
  }

  public static int run(String[] args, JsonObject config, PrintStream out, PrintStream err) {
    if (args.length != 2 || !"vault".equals(args[0]) || !"rewrap".equals(args[1])) {
      err.println("usage: java -jar forge-service.jar vault rewrap");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    Database db = null;
    Pool pool = null;
    try {
      JsonObject cfg = config.copy();
      Secrets.ensureSecretKey(cfg);
      VaultConfig vault = VaultConfig.from(cfg);
      db = Database.start(vertx, cfg).await(5, TimeUnit.MINUTES);
      Migrations.run(vertx, db.target()).await(5, TimeUnit.MINUTES);
      cfg.getJsonObject("database").put("connect", db.target().toJson());
      pool = Pools.shared(vertx, cfg);
      Rewrapper rewrapper = new Rewrapper(new ProviderKeyStore(pool), vault.crypto(), vault.rewrapBatchSize());
      JsonObject report = rewrapper.run(n -> { }).await(60, TimeUnit.MINUTES);
      out.println(report.encodePrettily());
      return report.getJsonArray("failed").isEmpty() ? 0 : 3;
    } catch (Exception e) {
      err.println("vault rewrap failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    } finally {
      if (pool != null) {
        try {
          pool.close().await(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // exiting anyway
        }
      }
      if (db != null) {
        try {
          db.stop(vertx).await(60, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // exiting anyway
        }
      }
      vertx.close();
    }
  }
}
