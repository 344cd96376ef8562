package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.catalog.ModelCatalog;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The {@code gateway} section of the config (timeouts, service provider settings) and the shared model catalog. */
public record GatewayConfig(
  String defaultModel,
  Set<String> allowedModels,
  long connectTimeoutMs,
  long firstByteTimeoutMs,
  long idleTimeoutMs,
  int maxUpstreamConnections,
  long maxResponseBytes,
  int anthropicMaxTokens,
  List<String> liveModelProviders,
  long liveModelsTtlSeconds,
  int threadMaxMessages,
  long threadMaxTokens,
  long threadRotationRetryMs,
  Map<String, ProviderSettings> providers,
  ModelCatalog catalog,
  UpstreamRetry.Settings retry) {

  /** Base URL and service key of one provider, as configured for the whole service. */
  public record ProviderSettings(String baseUrl, String apiKey) {
  }

  public static GatewayConfig from(JsonObject config) {
    JsonObject g = config.getJsonObject("gateway", new JsonObject());
    Map<String, ProviderSettings> providers = new LinkedHashMap<>();
    // bases and service keys are shared with the vault: top-level providers
    JsonObject p = config.getJsonObject("providers", new JsonObject());
    for (String name : p.fieldNames()) {
      JsonObject s = p.getJsonObject(name);
      providers.put(name, new ProviderSettings(trimSlash(s.getString("base_url", "")), s.getString("api_key", "")));
    }
    return new GatewayConfig(
      g.getString("default_model", "gpt-4o-mini"),
      csv(g.getString("allowed_models", "")),
      g.getLong("connect_timeout_ms", 10_000L),
      g.getLong("first_byte_timeout_ms", 60_000L),
      g.getLong("idle_timeout_ms", 120_000L),
      g.getInteger("max_upstream_connections", 1000),
      g.getLong("max_response_bytes", 32L * 1024 * 1024),
      g.getInteger("anthropic_max_tokens", 4096),
      List.copyOf(csv(g.getString("live_models", ""))),
      g.getLong("live_models_ttl_seconds", 300L),
      g.getInteger("thread_max_messages", 100),
      g.getLong("thread_max_tokens", 80_000L),
      positive(g.getLong("thread_rotation_retry_ms", 60_000L), "gateway.thread_rotation_retry_ms"),
      Map.copyOf(providers),
      ModelCatalog.from(config),
      UpstreamRetry.Settings.from(g));
  }

  public ProviderSettings provider(String name) {
    return providers.getOrDefault(name, new ProviderSettings("", ""));
  }

  private static long positive(long value, String key) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be positive");
    }
    return value;
  }

  private static Set<String> csv(String s) {
    return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
      .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }

  static String trimSlash(String url) {
    String u = url == null ? "" : url.trim();
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }
}
