package dev.chrysalis.forge.http;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;

/** The {@code server} section of the config. */
record HttpConfig(String host, int port, long maxBodyBytes, long shutdownGraceSeconds, List<String> allowedOrigins,
                  String trustedProxies, long maxPublicBodyBytes, long bodyMemoryBytes, long bodyMemoryPerClientBytes,
                  long bodyDeadlineMs, int maxConnectionsPerClient, int idleTimeoutSeconds) {

  HttpConfig {
    if (maxBodyBytes <= 0 || maxPublicBodyBytes <= 0 || bodyDeadlineMs <= 0) {
      throw new IllegalArgumentException(
        "CHRYSALIS_MAX_BODY_BYTES, CHRYSALIS_MAX_PUBLIC_BODY_BYTES and CHRYSALIS_BODY_DEADLINE_MS must be positive");
    }
    // a budget smaller than one allowed body would refuse every large request however idle the node is
    if (bodyMemoryPerClientBytes < Math.max(maxBodyBytes, maxPublicBodyBytes) || bodyMemoryBytes < bodyMemoryPerClientBytes) {
      throw new IllegalArgumentException("need CHRYSALIS_BODY_MEMORY_BYTES >= CHRYSALIS_BODY_MEMORY_PER_CLIENT_BYTES"
        + " >= CHRYSALIS_MAX_BODY_BYTES (and CHRYSALIS_MAX_PUBLIC_BODY_BYTES)");
    }
  }

  static HttpConfig from(JsonObject config) {
    JsonObject s = config.getJsonObject("server", new JsonObject());
    List<String> origins = Arrays.stream(s.getString("allowed_origins", "").split(","))
      .map(String::trim).filter(o -> !o.isEmpty()).toList();
    return new HttpConfig(s.getString("host", "0.0.0.0"), s.getInteger("port", 8080),
      s.getLong("max_body_bytes", 4L * 1024 * 1024), s.getLong("shutdown_grace_seconds", 20L), origins,
      s.getString("trusted_proxies", ""), s.getLong("max_public_body_bytes", 16L * 1024),
      s.getLong("body_memory_bytes", 64L * 1024 * 1024), s.getLong("body_memory_per_client_bytes", 8L * 1024 * 1024),
      s.getLong("body_deadline_ms", 30_000L), s.getInteger("max_connections_per_client", 64),
      s.getInteger("idle_timeout_seconds", 300));
  }
}
