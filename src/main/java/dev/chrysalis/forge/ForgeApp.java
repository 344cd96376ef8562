package dev.chrysalis.forge;

import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.auth.AuthVerticle;
import dev.chrysalis.forge.mail.MailVerticle;
import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.billing.BillingVerticle;
import dev.chrysalis.forge.bridge.BridgeConfig;
import dev.chrysalis.forge.bridge.BridgeVerticle;
import dev.chrysalis.forge.cluster.ClusterConfig;
import dev.chrysalis.forge.cluster.LocalServices;
import dev.chrysalis.forge.metrics.MetricsVerticle;
import dev.chrysalis.forge.config.Secrets;
import dev.chrysalis.forge.http.HttpVerticle;
import dev.chrysalis.forge.config.ConfiguredVerticle;
import dev.chrysalis.forge.ratelimit.RateLimitService;
import dev.chrysalis.forge.ratelimit.RateLimitVerticle;
import dev.chrysalis.forge.store.Database;
import dev.chrysalis.forge.store.Migrations;
import dev.chrysalis.forge.workspace.WorkspaceService;
import dev.chrysalis.forge.workspace.WorkspaceVerticle;
import dev.chrysalis.forge.vault.KeyVaultVerticle;
import dev.chrysalis.forge.responses.ResponseService;
import dev.chrysalis.forge.responses.ResponseVerticle;
import dev.chrysalis.forge.vault.VaultService;
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
import java.util.function.Supplier;

/**
 * One running service: database (embedded or external), migrations, the verticles. Used by
 * {@link Main} and by tests, which start several on one JVM.
 */
public final class ForgeApp {

  private static final Logger LOG = LoggerFactory.getLogger(ForgeApp.class);

  private final Vertx vertx;
  private final Database database;
  private final JsonObject config;
  private final List<Deployed> httpDeployments;
  private final List<Deployed> serviceDeployments;

  /** One deployment, and the bus address it serves (null for none). */
  private record Deployed(String id, String address) {
  }

  private ForgeApp(Vertx vertx, Database database, JsonObject config, List<Deployed> http, List<Deployed> services) {
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
        List<Deployed> services = new ArrayList<>();
        List<Deployed> http = new ArrayList<>();
        // in dependency order: each service's proxies are made after the services it calls, so
        // they find them on this node (LocalServices)
        return deploy(vertx, MailVerticle.class.getName(), null, cfg, 1, services)
          .compose(v -> deploy(vertx, AuthVerticle.class.getName(), AuthService.ADDRESS, cfg, 1, services))
          .compose(v -> deploy(vertx, WorkspaceVerticle.class.getName(), WorkspaceService.ADDRESS, cfg, 1, services))
          .compose(v -> deploy(vertx, () -> new BillingVerticle(cfg), BillingService.ADDRESS, 1, services))
          .compose(v -> deploy(vertx, RateLimitVerticle.class.getName(), RateLimitService.ADDRESS, cfg, 1, services))
          .compose(v -> deploy(vertx, KeyVaultVerticle.class.getName(), VaultService.ADDRESS, cfg, 1, services))
          .compose(v -> deploy(vertx, ResponseVerticle.class.getName(), ResponseService.ADDRESS, cfg, 1, services))
          .compose(v -> deploy(vertx, MetricsVerticle.class.getName(), null, cfg, 1, services))
          .compose(v -> BridgeConfig.from(cfg).enabled()
            ? deploy(vertx, BridgeVerticle.class.getName(), null, cfg, 1, services) : Future.<Void>succeededFuture())
          .compose(v -> deploy(vertx, () -> new HttpVerticle(cfg), null, httpInstances(cfg), http))
          .map(v -> new ForgeApp(vertx, db, cfg, http, services))
          .recover(t -> undeployAll(vertx, http).compose(x -> undeployAll(vertx, services))
            .eventually(() -> db.stop(vertx)).transform(x -> Future.failedFuture(t)));
      })
      .onSuccess(app -> LOG.info("Chrysalis Forge {} listening on {}", version(), app.baseUrl()));
  }

  private static Future<Void> deploy(Vertx vertx, String verticle, String address, JsonObject cfg, int instances,
                                     List<Deployed> deployed) {
    return deployed(vertx, vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(cfg).setInstances(instances)),
      address, deployed);
  }

  /** A verticle that takes its configuration through its constructor (see ConfiguredVerticle). */
  private static Future<Void> deploy(Vertx vertx, Supplier<? extends ConfiguredVerticle> verticle, String address,
                                     int instances, List<Deployed> deployed) {
    return deployed(vertx, vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances)), address, deployed);
  }

  private static Future<Void> deployed(Vertx vertx, Future<String> deployment, String address, List<Deployed> deployed) {
    return deployment
      .map(id -> {
        deployed.add(new Deployed(id, address));
        if (address != null) {
          LocalServices.serving(vertx, address);
        }
        return null;
      });
  }

  private static int httpInstances(JsonObject cfg) {
    int n = cfg.getJsonObject("server", new JsonObject()).getInteger("instances", 0);
    return n > 0 ? n : Runtime.getRuntime().availableProcessors();
  }

  /** Last deployed first, one after the other: a service stops after those that call it. */
  private static Future<Void> undeployAll(Vertx vertx, List<Deployed> deployed) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployed.size() - 1; i >= 0; i--) {
      Deployed d = deployed.get(i);
      chain = chain.compose(v -> {
        if (d.address() != null) {
          LocalServices.stopped(vertx, d.address());
        }
        return vertx.undeploy(d.id()).recover(t -> Future.succeededFuture());
      });
    }
    deployed.clear();
    return chain;
  }

  /**
   * HTTP first (stop accepting, finish in-flight requests and streams up to the grace deadline,
   * wait for their usage to be recorded), then the services (callers before callees), then the
   * database. A clustered node then waits {@code cluster.leave_drain_ms} with its bus still open
   * so the others see its services unregistered before it leaves; the caller then closes the
   * Vertx, which leaves the cluster.
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
