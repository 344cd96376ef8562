package dev.chrysalis.forge.cluster;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code cluster} section: whether this node joins a Hazelcast cluster, how it finds the
 * others (a TCP-IP member list; no multicast), where it listens, and event-bus TLS.
 */
public record ClusterConfig(boolean enabled, String name, List<String> members, String host, String publicHost,
                            int port, int busPort, String hazelcastConfig, long leaveDrainMs, Tls tls) {

  /** Event-bus TLS: PKCS12 keystore (this node's certificate) and truststore (the cluster's CA). */
  public record Tls(boolean enabled, String keystore, String keystorePassword, String truststore,
                    String truststorePassword) {
  }

  public static ClusterConfig from(JsonObject config) {
    JsonObject c = config.getJsonObject("cluster", new JsonObject());
    List<String> members = Arrays.stream(c.getString("members", "").split(","))
      .map(String::trim).filter(m -> !m.isEmpty()).toList();
    Tls tls = new Tls(c.getBoolean("bus_tls", false), c.getString("bus_keystore", ""),
      c.getString("bus_keystore_password", ""), c.getString("bus_truststore", ""),
      c.getString("bus_truststore_password", ""));
    return new ClusterConfig(c.getBoolean("enabled", false), c.getString("name", "chrysalis-forge"), members,
      c.getString("host", "127.0.0.1"), c.getString("public_host", ""), c.getInteger("port", 5701),
      c.getInteger("bus_port", 17001), c.getString("hazelcast_config", ""), c.getLong("leave_drain_ms", 1000L), tls);
  }

  /**
   * A clustered node must share its state: one database and one Redis for every node. Null when
   * the configuration is fine, else the one line to log before refusing to start.
   */
  public static String missingSharedState(JsonObject config) {
    String db = config.getJsonObject("database", new JsonObject()).getString("url", "");
    String redis = config.getJsonObject("ratelimit", new JsonObject()).getString("redis_url", "");
    if (db == null || db.isBlank()) {
      return "CHRYSALIS_CLUSTER=true needs CHRYSALIS_DATABASE_URL (a shared PostgreSQL): "
        + "an embedded database per node would split the data";
    }
    if (redis == null || redis.isBlank()) {
      return "CHRYSALIS_CLUSTER=true needs CHRYSALIS_REDIS_URL (a shared Redis): "
        + "per-node rate-limit counters would multiply every limit by the node count";
    }
    return null;
  }

  /**
   * In production the event bus carries user data and, in vault replies, provider keys between
   * nodes: a clustered node needs event-bus TLS unless the operator explicitly accepts plaintext
   * ({@code cluster.bus_allow_plaintext}, CHRYSALIS_BUS_ALLOW_PLAINTEXT). Null when fine, else the
   * reason to refuse to start.
   */
  public static String plaintextBusRefused(JsonObject config) {
    ClusterConfig cluster = from(config);
    boolean production = "production".equalsIgnoreCase(config.getString("env", "development"));
    boolean allowPlaintext = config.getJsonObject("cluster", new JsonObject()).getBoolean("bus_allow_plaintext", false);
    if (cluster.enabled() && production && !cluster.tls().enabled() && !allowPlaintext) {
      return "CHRYSALIS_ENV=production with CHRYSALIS_CLUSTER=true needs CHRYSALIS_BUS_TLS=true (with "
        + "CHRYSALIS_BUS_KEYSTORE and CHRYSALIS_BUS_TRUSTSTORE): the event bus carries user data and provider keys. "
        + "Set CHRYSALIS_BUS_ALLOW_PLAINTEXT=true only on a network you trust for that.";
    }
    return null;
  }
}
