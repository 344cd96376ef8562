package dev.chrysalis.forge;

import dev.chrysalis.forge.auth.AuthVerticle;
import dev.chrysalis.forge.billing.BillingVerticle;
import dev.chrysalis.forge.bridge.BridgeConfig;
import dev.chrysalis.forge.bridge.BridgeVerticle;
import dev.chrysalis.forge.cluster.ClusterConfig;
import dev.chrysalis.forge.metrics.MetricsVerticle;
import dev.chrysalis.forge.config.Secrets;
import dev.chrysalis.forge.http.HttpVerticle;
import dev.chrysalis.forge.ratelimit.RateLimitVerticle;
import dev.chrysalis.forge.store.Database;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.workspace.WorkspaceVerticle;
import dev.chrysalis.forge.vault.KeyVaultVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * One running service: database (embedded or external), migrations, the verticles. Used by
 * {@link Main} and by tests, which start several on one JVM.
 */
public final class ForgeApp {

  private static final Logger LOG = LoggerFactory.getLogger(ForgeApp.class);

  private final Vertx vertx;
  private final Database database;
  private final JsonObject config;
  private final List<String> httpDeployments;
  private final List<String> serviceDeployments;

  private ForgeApp(Vertx vertx, Database database, JsonObject config, List<String> http, List<String> services) {
    this.vertx = vertx;
    this.database = database;
    this.config = config;
    this.httpDeployments = http;
    this.serviceDeployments = services;
  }

  public static Future<ForgeApp> start(Vertx vertx, JsonObject config) {
    JsonObject cfg = config.copy();
    cfg.put("version", version());
    if (vertx.isClustered() && ClusterConfig.missingSharedState(cfg) != null) {
      return Future.failedFuture(new IllegalStateException(ClusterConfig.missingSharedState(cfg)));
    }
    return vertx.executeBlocking(() -> {
        Secrets.ensureSecretKey(cfg);
        JsonObject server = cfg.getJsonObject("server");
        if (server != null && server.getInteger("port", 8080) == 0) {
          server.put("port", freePort());
        }
        return cfg;
      }, false)
      .compose(c -> Database.start(vertx, c))
      .compose(db -> Migrations.run(vertx, db.target()).map(v -> db)
        .recover(t -> db.stop(vertx).transform(ignored -> Future.failedFuture(t))))
      .compose(db -> {
        cfg.getJsonObject("database").put("connect", db.target().toJson());
        List<String> services = new ArrayList<>();
        List<String> http = new ArrayList<>();
        return deploy(vertx, AuthVerticle.class.getName(), cfg, 1, services)
          .compose(v -> deploy(vertx, WorkspaceVerticle.class.getName(), cfg, 1, services))
          .compose(v -> deploy(vertx, BillingVerticle.class.getName(), cfg, 1, services))
          .compose(v -> deploy(vertx, RateLimitVerticle.class.getName(), cfg, 1, services))
          .compose(v -> deploy(vertx, KeyVaultVerticle.class.getName(), cfg, 1, services))
          .compose(v -> deploy(vertx, MetricsVerticle.class.getName(), cfg, 1, services))
          .compose(v -> BridgeConfig.from(cfg).enabled()
            ? deploy(vertx, BridgeVerticle.class.getName(), cfg, 1, services) : Future.<Void>succeededFuture())
          .compose(v -> deploy(vertx, HttpVerticle.class.getName(), cfg, httpInstances(cfg), http))
          .map(v -> new ForgeApp(vertx, db, cfg, http, services))
          .recover(t -> undeployAll(vertx, http).compose(x -> undeployAll(vertx, services))
            .eventually(() -> db.stop(vertx)).transform(x -> Future.failedFuture(t)));
      })
      .onSuccess(app -> LOG.info("Chrysalis Forge {} listening on {}", version(), app.baseUrl()));
  }

  private static Future<Void> deploy(Vertx vertx, String verticle, JsonObject cfg, int instances, List<String> ids) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(cfg).setInstances(instances))
      .map(id -> {
        ids.add(id);
        return null;
      });
  }

  private static int httpInstances(JsonObject cfg) {
    int n = cfg.getJsonObject("server", new JsonObject()).getInteger("instances", 0);
    return n > 0 ? n : Runtime.getRuntime().availableProcessors();
  }

  private static Future<Void> undeployAll(Vertx vertx, List<String> ids) {
    List<Future<Void>> all = new ArrayList<>();
    for (String id : ids) {
      all.add(vertx.undeploy(id).recover(t -> Future.succeededFuture()));
    }
    ids.clear();
    return Future.join(all).mapEmpty();
  }

  /**
   * HTTP first (stop accepting, finish in-flight requests), then services, then the database. A
   * clustered node then waits {@code cluster.leave_drain_ms} with its bus still open, so a request
   * another node routed here just before it saw the services go gets a prompt "no handler" reply
   * instead of vanishing when the bus closes (and the others' view of the cluster settles).
   */
  public Future<Void> stop() {
    return undeployAll(vertx, httpDeployments)
      .compose(v -> undeployAll(vertx, serviceDeployments))
      .compose(v -> vertx.isClustered()
        ? vertx.timer(ClusterConfig.from(config).leaveDrainMs()).<Void>mapEmpty()
        : Future.<Void>succeededFuture())
      .eventually(() -> database.stop(vertx))
      .onComplete(ar -> LOG.info("Chrysalis Forge stopped"));
  }

  public String baseUrl() {
    JsonObject s = config.getJsonObject("server");
    String host = s.getString("host", "0.0.0.0");
    return "http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + s.getInteger("port");
  }

  public int port() {
    return config.getJsonObject("server").getInteger("port");
  }

  public JsonObject config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public static String version() {
    String v = ForgeApp.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
