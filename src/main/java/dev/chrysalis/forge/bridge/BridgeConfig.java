package dev.chrysalis.forge.bridge;

import dev.chrysalis.forge.usage.UsageEvent;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code bridge} section: the TCP event-bus bridge is off unless a port is set, listens on
 * loopback unless told otherwise, and lets through only the addresses named here (exact names, no
 * patterns). {@value UsageEvent#ADDRESS} is always outbound. Clients authenticate with
 * {@code token} (CHRYSALIS_BRIDGE_TOKEN) on every frame, see {@link BridgeToken}.
 */
public record BridgeConfig(int port, String host, Set<String> inbound, Set<String> outbound, String token) {

  /** Addresses that may never cross the bridge, whatever the configuration says. */
  static final List<String> NEVER = List.of("forge.vault", "forge.auth", "__vertx.");

  public static BridgeConfig from(JsonObject config) {
    JsonObject b = config.getJsonObject("bridge", new JsonObject());
    Set<String> outbound = new LinkedHashSet<>();
    outbound.add(UsageEvent.ADDRESS);
    outbound.addAll(list(b.getString("outbound", "")));
    BridgeConfig c = new BridgeConfig(b.getInteger("port", 0), b.getString("host", "127.0.0.1"),
      new LinkedHashSet<>(list(b.getString("inbound", ""))), outbound, b.getString("token", ""));
    c.validate();
    return c;
  }

  public boolean enabled() {
    return port > 0;
  }

  private void validate() {
    List<String> all = new ArrayList<>(inbound);
    all.addAll(outbound);
    for (String address : all) {
      if (!address.startsWith("forge.")) {
        throw new IllegalArgumentException("bridge address '" + address + "' is not under forge.");
      }
      for (String forbidden : NEVER) {
        if (address.startsWith(forbidden)) {
          throw new IllegalArgumentException("bridge address '" + address + "' may not cross the bridge ("
            + forbidden + "* carries secrets or credentials)");
        }
      }
    }
  }

  private static List<String> list(String csv) {
    return csv == null ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  @Override
  public String toString() {
    return "BridgeConfig[port=" + port + ", host=" + host + ", inbound=" + inbound + ", outbound=" + outbound + "]";
  }
}
