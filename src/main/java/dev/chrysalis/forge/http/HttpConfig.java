package dev.chrysalis.forge.http;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;

/** The {@code server} section of the config. */
record HttpConfig(String host, int port, long maxBodyBytes, long shutdownGraceSeconds, List<String> allowedOrigins,
                  String trustedProxies) {

  static HttpConfig from(JsonObject config) {
    JsonObject s = config.getJsonObject("server", new JsonObject());
    List<String> origins = Arrays.stream(s.getString("allowed_origins", "").split(","))
      .map(String::trim).filter(o -> !o.isEmpty()).toList();
    return new HttpConfig(s.getString("host", "0.0.0.0"), s.getInteger("port", 8080),
      s.getLong("max_body_bytes", 4L * 1024 * 1024), s.getLong("shutdown_grace_seconds", 20L), origins,
      s.getString("trusted_proxies", ""));
  }
}
