package dev.chrysalis.forge;

import dev.chrysalis.forge.logging.LogFlush;
import dev.chrysalis.forge.cluster.ForgeVertx;
import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.vault.VaultCli;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Entry point: {@code java -jar forge-service.jar} serves; see README for the commands. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    JsonObject config;
    try {
      config = ConfigLoader.load(System.getenv());
    } catch (RuntimeException e) {
      LOG.error("configuration error: {}", e.getMessage());
      LogFlush.exit(2);
      return;
    }
    if (args.length > 0 && "vault".equals(args[0])) {
      LogFlush.exit(VaultCli.run(args, config, System.out, System.err));
      return;
    }
    if (args.length > 0) {
      LOG.error("unknown command: {} (run without arguments to serve, or: vault rewrap)", String.join(" ", args));
      LogFlush.exit(2);
    }
    serve(config);
  }

  private static void serve(JsonObject config) throws InterruptedException {
    Vertx vertx;
    try {
      vertx = ForgeVertx.create(config).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.error("start-up failed: {}", e.getMessage());
      LogFlush.exit(1);
      return;
    }
    ForgeApp app;
    try {
      app = ForgeApp.start(vertx, config).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.error("start-up failed: {}", e.getMessage());
      vertx.close();
      LogFlush.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // the JVM exits when the hook returns: wait for the grace period of requests and streams, then
    // for the services, the database and leaving the cluster (vertx.close), which come after
    long graceSeconds = app.config().getJsonObject("server", new JsonObject()).getLong("shutdown_grace_seconds", 20L);
    long waitSeconds = graceSeconds + 60;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down: finishing requests (up to {} s), then leaving", graceSeconds);
      app.stop().eventually(vertx::close).onComplete(ar -> {
        LOG.info("shut down");
        stopped.countDown();
      });
      try {
        stopped.await(waitSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      LogFlush.flushAndStop();
    }, "forge-shutdown"));
  }
}
