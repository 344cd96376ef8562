package dev.chrysalis.forge.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryYamlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Hazelcast configuration of a node: {@code conf/hazelcast.yaml} (the maps Vert.x needs,
 * multicast off, no phone-home), with the settings that differ per node applied on top from
 * {@link ClusterConfig}: cluster name, member list, bind host and port.
 */
public final class HazelcastConfigs {

  public static final String DEFAULT_PATH = "conf/hazelcast.yaml";

  private HazelcastConfigs() {
  }

  public static Config build(ClusterConfig cluster) throws IOException {
    Config config = new InMemoryYamlConfig(readYaml(cluster.hazelcastConfig()));
    config.setClusterName(cluster.name());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).setInterfaces(java.util.List.of(cluster.host()));
    if (!cluster.publicHost().isBlank()) {
      network.setPublicAddress(cluster.publicHost() + ":" + cluster.port());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members().isEmpty()
      ? java.util.List.of(cluster.host() + ":" + cluster.port())
      : cluster.members());
    return config;
  }

  private static String readYaml(String explicit) throws IOException {
    if (explicit != null && !explicit.isBlank()) {
      return Files.readString(Path.of(explicit));
    }
    Path local = Path.of(DEFAULT_PATH);
    if (Files.isRegularFile(local)) {
      return Files.readString(local);
    }
    try (InputStream in = HazelcastConfigs.class.getClassLoader().getResourceAsStream(DEFAULT_PATH)) {
      if (in == null) {
        throw new IOException(DEFAULT_PATH + " not found in the working directory or the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
