package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Vertx a node runs on: standalone, or clustered over Hazelcast when
 * {@code cluster.enabled}; with Micrometer metrics (one Prometheus registry per Vertx) unless
 * {@code metrics.enabled} is false. {@link dev.chrysalis.forge.Main} and the tests both use it.
 */
public final class ForgeVertx {

  private static final Logger LOG = LoggerFactory.getLogger(ForgeVertx.class);

  private ForgeVertx() {
  }

  public static Future<Vertx> create(JsonObject config) {
    ClusterConfig cluster = ClusterConfig.from(config);
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    VertxBuilder builder = Vertx.builder();
    Metrics.Backend metrics = Metrics.backendFor(config);
    if (metrics != null) {
      builder.withMetrics(metrics.factory());
      options.setMetricsOptions(metrics.options());
    }
    if (!cluster.enabled()) {
      Vertx vertx = builder.with(options).build();
      Metrics.attach(vertx, metrics);
      return Future.succeededFuture(vertx);
    }
    String plaintext = ClusterConfig.plaintextBusRefused(config);
    if (plaintext != null) {
      return Future.failedFuture(new IllegalStateException(plaintext));
    }
    String missing = ClusterConfig.missingSharedState(config);
    if (missing != null) {
      return Future.failedFuture(new IllegalStateException(missing));
    }
    if (System.getProperty("hazelcast.logging.type") == null) {
      // before Hazelcast's first log line (it reads the config file through java.util.logging otherwise)
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    try {
      options.setEventBusOptions(eventBus(cluster));
      builder.withClusterManager(new HazelcastClusterManager(HazelcastConfigs.build(cluster)));
    } catch (Exception e) {
      return Future.failedFuture(new IllegalStateException("cluster configuration: " + e.getMessage(), e));
    }
    LOG.info("joining cluster '{}' as {}:{} (event bus port {}, TLS {}), members {}", cluster.name(), cluster.host(),
      cluster.port(), cluster.busPort(), cluster.tls().enabled() ? "on" : "off", cluster.members());
    return builder.with(options).buildClustered().onSuccess(v -> Metrics.attach(v, metrics));
  }

  static EventBusOptions eventBus(ClusterConfig cluster) {
    EventBusOptions bus = new EventBusOptions().setHost(cluster.host()).setPort(cluster.busPort());
    if (!cluster.publicHost().isBlank()) {
      bus.setClusterPublicHost(cluster.publicHost());
    }
    ClusterConfig.Tls tls = cluster.tls();
    if (tls.enabled()) {
      if (tls.keystore().isBlank() || tls.truststore().isBlank()) {
        throw new IllegalArgumentException("CHRYSALIS_BUS_TLS=true needs CHRYSALIS_BUS_KEYSTORE and CHRYSALIS_BUS_TRUSTSTORE");
      }
      // mutual TLS: a peer is only accepted with a certificate the cluster's truststore trusts
      bus.setSsl(true)
        .setKeyCertOptions(new PfxOptions().setPath(tls.keystore()).setPassword(tls.keystorePassword()))
        .setTrustOptions(new PfxOptions().setPath(tls.truststore()).setPassword(tls.truststorePassword()))
        .setClientAuth(ClientAuth.REQUIRED);
    }
    return bus;
  }
}
