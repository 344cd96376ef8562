package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.testing.TestApp;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Settings for clustered test nodes on loopback: a cluster name of their own (other test JVMs on
 * the machine never join), fixed free Hazelcast and event-bus ports, and the member list.
 */
final class ClusterNodes {

  static {
    // no need to wait for late members on loopback
    System.setProperty("hazelcast.wait.seconds.before.join", "0");
  }

  private final String name = "forge-test-" + UUID.randomUUID();
  private final int[] hazelcastPorts;
  private final int[] busPorts;

  ClusterNodes(int nodes) {
    hazelcastPorts = new int[nodes];
    busPorts = new int[nodes];
    for (int i = 0; i < nodes; i++) {
      hazelcastPorts[i] = freePort();
      busPorts[i] = freePort();
    }
  }

  /** Environment of node {@code i}, sharing the given database and Redis. */
  Map<String, String> env(int i, String databaseUrl, String redisUrl, String... extra) {
    StringBuilder members = new StringBuilder();
    for (int p : hazelcastPorts) {
      members.append(members.length() == 0 ? "" : ",").append("127.0.0.1:").append(p);
    }
    Map<String, String> env = new HashMap<>(TestApp.env(
      "CHRYSALIS_CLUSTER", "true",
      "CHRYSALIS_CLUSTER_NAME", name,
      "CHRYSALIS_CLUSTER_HOST", "127.0.0.1",
      "CHRYSALIS_CLUSTER_MEMBERS", members.toString(),
      "CHRYSALIS_CLUSTER_PORT", String.valueOf(hazelcastPorts[i]),
      "CHRYSALIS_BUS_PORT", String.valueOf(busPorts[i]),
      "CHRYSALIS_DATABASE_URL", databaseUrl,
      "CHRYSALIS_REDIS_URL", redisUrl));
    env.putAll(TestApp.env(extra));
    return env;
  }

  int busPort(int i) {
    return busPorts[i];
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
