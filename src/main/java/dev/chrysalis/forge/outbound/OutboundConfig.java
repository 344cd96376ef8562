package dev.chrysalis.forge.outbound;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * How the service reaches hosts a user named: whether a user-supplied base URL may point at
 * private addresses ({@code vault.allow_private_base_urls}, CHRYSALIS_ALLOW_PRIVATE_BASE_URLS) and
 * which DNS servers answer for outbound names ({@code outbound.dns_servers}, CHRYSALIS_DNS_SERVERS;
 * empty = the system resolver).
 */
public record OutboundConfig(boolean allowPrivateBaseUrls, List<String> dnsServers, long dnsTimeoutMs) {

  static final long DNS_TIMEOUT_MS = 5_000;

  public static OutboundConfig from(JsonObject config) {
    boolean production = "production".equalsIgnoreCase(config.getString("env", "development"));
    JsonObject vault = config.getJsonObject("vault", new JsonObject());
    JsonObject outbound = config.getJsonObject("outbound", new JsonObject());
    return new OutboundConfig(
      allowPrivate(String.valueOf(vault.getValue("allow_private_base_urls", "")), production),
      servers(outbound.getValue("dns_servers")),
      DNS_TIMEOUT_MS);
  }

  /** Empty means: allowed in development (local ollama works), refused in production. */
  public static boolean allowPrivate(String value, boolean production) {
    String s = value == null ? "" : value.trim();
    if (s.isEmpty() || s.equals("null")) {
      return !production;
    }
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("CHRYSALIS_ALLOW_PRIVATE_BASE_URLS must be true or false");
  }

  /** {@code host[:port]} entries, comma separated (or a YAML list); port 53 when none is given. */
  static List<String> servers(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(v -> add(out, String.valueOf(v)));
    } else if (value != null) {
      for (String part : String.valueOf(value).split(",")) {
        add(out, part);
      }
    }
    return List.copyOf(out);
  }

  private static void add(List<String> out, String raw) {
    String s = raw.trim();
    if (s.isEmpty()) {
      return;
    }
    int colon = s.lastIndexOf(':');
    String host = colon < 0 ? s : s.substring(0, colon);
    String port = colon < 0 ? "53" : s.substring(colon + 1);
    if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("CHRYSALIS_DNS_SERVERS must be host[:port] entries separated by commas");
    }
    out.add(host + ":" + port);
  }

  /** The host of a {@code host:port} entry. */
  static String hostOf(String server) {
    return server.substring(0, server.lastIndexOf(':'));
  }

  /** The port of a {@code host:port} entry. */
  static int portOf(String server) {
    return Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
  }
}
