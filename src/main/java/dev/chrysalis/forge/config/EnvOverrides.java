package dev.chrysalis.forge.config;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment names (kept from the original service, new ones prefixed CHRYSALIS_) and the
 * config path each one overrides. A value is coerced to the type of the default it replaces.
 */
public final class EnvOverrides {

  public static final Map<String, String> PATHS = new LinkedHashMap<>();

  static {
    PATHS.put("CHRYSALIS_ENV", "env");
    PATHS.put("CHRYSALIS_DATA_DIR", "data_dir");
    PATHS.put("CHRYSALIS_HOST", "server.host");
    PATHS.put("CHRYSALIS_PORT", "server.port");
    PATHS.put("CHRYSALIS_HTTP_INSTANCES", "server.instances");
    PATHS.put("CHRYSALIS_MAX_BODY_BYTES", "server.max_body_bytes");
    PATHS.put("CHRYSALIS_MAX_PUBLIC_BODY_BYTES", "server.max_public_body_bytes");
    PATHS.put("CHRYSALIS_BODY_MEMORY_BYTES", "server.body_memory_bytes");
    PATHS.put("CHRYSALIS_BODY_MEMORY_PER_CLIENT_BYTES", "server.body_memory_per_client_bytes");
    PATHS.put("CHRYSALIS_BODY_DEADLINE_MS", "server.body_deadline_ms");
    PATHS.put("CHRYSALIS_MAX_CONNECTIONS_PER_CLIENT", "server.max_connections_per_client");
    PATHS.put("CHRYSALIS_HTTP_IDLE_TIMEOUT_SECONDS", "server.idle_timeout_seconds");
    PATHS.put("CHRYSALIS_SHUTDOWN_GRACE_SECONDS", "server.shutdown_grace_seconds");
    PATHS.put("CHRYSALIS_ALLOWED_ORIGINS", "server.allowed_origins");
    PATHS.put("CHRYSALIS_TRUSTED_PROXIES", "server.trusted_proxies");
    PATHS.put("CHRYSALIS_DATABASE_URL", "database.url");
    PATHS.put("CHRYSALIS_DB_POOL_SIZE", "database.pool_size");
    PATHS.put("CHRYSALIS_DB_STATEMENT_TIMEOUT_MS", "database.statement_timeout_ms");
    PATHS.put("CHRYSALIS_EMBEDDED_DB_PORT", "database.embedded_port");
    PATHS.put("CHRYSALIS_SECRET_KEY", "auth.secret_key");
    PATHS.put("CHRYSALIS_SESSION_LIFETIME", "auth.session_lifetime");
    PATHS.put("CHRYSALIS_ENABLE_REGISTRATION", "auth.enable_registration");
    PATHS.put("CHRYSALIS_PBKDF2_ITERATIONS", "auth.pbkdf2_iterations");
    PATHS.put("CHRYSALIS_MIN_PASSWORD_LENGTH", "auth.min_password_length");
    PATHS.put("CHRYSALIS_JWT_ISSUER", "auth.issuer");
    PATHS.put("CHRYSALIS_JWT_AUDIENCE", "auth.audience");
    PATHS.put("CHRYSALIS_LOGIN_LOCKOUT_THRESHOLD", "auth.lockout_threshold");
    PATHS.put("CHRYSALIS_LOGIN_LOCKOUT_SECONDS", "auth.lockout_seconds");
    PATHS.put("CHRYSALIS_API_KEY_CACHE_SIZE", "auth.api_key_cache_size");
    PATHS.put("CHRYSALIS_API_KEY_NEGATIVE_CACHE_SIZE", "auth.api_key_negative_cache_size");
    PATHS.put("CHRYSALIS_API_KEY_NEGATIVE_CACHE_SECONDS", "auth.api_key_negative_cache_seconds");
    PATHS.put("CHRYSALIS_ADMIN_EMAILS", "auth.admin_emails");
    PATHS.put("CHRYSALIS_REQUIRE_VERIFIED_EMAIL", "auth.require_verified_email");
    PATHS.put("CHRYSALIS_VERIFY_TOKEN_TTL_SECONDS", "auth.verify_token_ttl_seconds");
    PATHS.put("CHRYSALIS_RESET_TOKEN_TTL_SECONDS", "auth.reset_token_ttl_seconds");
    PATHS.put("CHRYSALIS_MAIL_RESEND_SECONDS", "auth.mail_resend_seconds");
    PATHS.put("CHRYSALIS_PUBLIC_URL", "server.public_url");
    PATHS.put("CHRYSALIS_SMTP_HOST", "mail.smtp_host");
    PATHS.put("CHRYSALIS_SMTP_PORT", "mail.smtp_port");
    PATHS.put("CHRYSALIS_SMTP_USER", "mail.smtp_user");
    PATHS.put("CHRYSALIS_SMTP_PASSWORD", "mail.smtp_password");
    PATHS.put("CHRYSALIS_SMTP_FROM", "mail.from");
    PATHS.put("CHRYSALIS_SMTP_TLS", "mail.smtp_tls");
    PATHS.put("CHRYSALIS_MAIL_INTERVAL_MS", "mail.interval_ms");
    PATHS.put("CHRYSALIS_MAIL_BACKOFF_BASE_MS", "mail.backoff_base_ms");
    PATHS.put("CHRYSALIS_MAIL_BACKOFF_MAX_MS", "mail.backoff_max_ms");
    PATHS.put("CHRYSALIS_MAIL_MAX_ATTEMPTS", "mail.max_attempts");
    PATHS.put("CHRYSALIS_DEFAULT_PLAN", "billing.default_plan");
    PATHS.put("CHRYSALIS_FREE_DAILY_LIMIT", "billing.free_daily_limit");
    PATHS.put("CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS", "billing.membership_address");
    PATHS.put("CHRYSALIS_BILLING_OUTBOX_INTERVAL_MS", "billing.outbox.interval_ms");
    PATHS.put("CHRYSALIS_BILLING_OUTBOX_BACKOFF_BASE_MS", "billing.outbox.backoff_base_ms");
    PATHS.put("CHRYSALIS_BILLING_OUTBOX_BACKOFF_MAX_MS", "billing.outbox.backoff_max_ms");
    PATHS.put("CHRYSALIS_BILLING_OUTBOX_MAX_ATTEMPTS", "billing.outbox.max_attempts");
    PATHS.put("CHRYSALIS_BILLING_RESERVATION_MAX_AGE_SECONDS", "billing.reservations.max_age_seconds");
    PATHS.put("CHRYSALIS_BILLING_RESERVATION_SWEEP_SECONDS", "billing.reservations.sweep_interval_seconds");
    PATHS.put("AUTUMN_SECRET_KEY", "billing.autumn.secret_key");
    PATHS.put("AUTUMN_API_BASE", "billing.autumn.api_base");
    PATHS.put("CHRYSALIS_AUTUMN_TIMEOUT_MS", "billing.autumn.timeout_ms");
    PATHS.put("CHRYSALIS_AUTUMN_CHECK_CACHE_MS", "billing.autumn.check_cache_ms");
    PATHS.put("CHRYSALIS_AUTUMN_PLAN_CACHE_MS", "billing.autumn.plan_cache_ms");
    PATHS.put("CHRYSALIS_INVITE_TTL_SECONDS", "workspace.invite_ttl_seconds");
    PATHS.put("CHRYSALIS_MAX_CONTEXTS_PER_THREAD", "workspace.max_contexts_per_thread");
    PATHS.put("CHRYSALIS_MAX_CONTEXT_DEPTH", "workspace.max_context_depth");
    PATHS.put("CHRYSALIS_MAX_CONTEXT_BYTES_PER_THREAD", "workspace.max_context_bytes_per_thread");
    PATHS.put("CHRYSALIS_CONTEXT_PAGE_BYTES", "workspace.context_page_bytes");
    PATHS.put("CHRYSALIS_RELATIONS_SHOWN", "workspace.relations_shown");
    PATHS.put("CHRYSALIS_REDIS_URL", "ratelimit.redis_url");
    PATHS.put("CHRYSALIS_REDIS_TIMEOUT_MS", "ratelimit.redis_timeout_ms");
    PATHS.put("CHRYSALIS_REDIS_RETRY_MS", "ratelimit.redis_retry_ms");
    PATHS.put("CHRYSALIS_REDIS_KEY_PREFIX", "ratelimit.key_prefix");
    PATHS.put("CHRYSALIS_RATE_PLAN_CACHE_SECONDS", "ratelimit.plan_cache_seconds");
    PATHS.put("CHRYSALIS_RATE_MAX_ENTRIES", "ratelimit.max_entries");
    PATHS.put("CHRYSALIS_RATE_WINDOW_SECONDS", "ratelimit.window_seconds");
    PATHS.put("CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "ratelimit.public_per_minute");
    PATHS.put("CHRYSALIS_RATE_DAY_QUERY_TIMEOUT_MS", "ratelimit.day_query_timeout_ms");
    PATHS.put("CHRYSALIS_RATE_DAY_LEASE_MAX", "ratelimit.day_lease_max");
    PATHS.put("CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "ratelimit.check_timeout_ms");
    for (String tier : new String[] {"free", "pro", "team", "enterprise"}) {
      String env = "CHRYSALIS_RATE_" + tier.toUpperCase(java.util.Locale.ROOT);
      PATHS.put(env + "_PER_MINUTE", "ratelimit.tiers." + tier + ".per_minute");
      PATHS.put(env + "_PER_DAY", "ratelimit.tiers." + tier + ".per_day");
    }
    PATHS.put("CHRYSALIS_SLOW_READER_TIMEOUT_MS", "limits.slow_reader_timeout_ms");
    for (String plan : new String[] {"free", "pro", "team", "enterprise"}) {
      String env = "CHRYSALIS_LIMIT_" + plan.toUpperCase(java.util.Locale.ROOT);
      for (String kind : new String[] {"api_keys", "projects", "threads", "sessions", "concurrent_calls",
        "max_choices", "max_output_tokens", "priced_options"}) {
        PATHS.put(env + "_" + kind.toUpperCase(java.util.Locale.ROOT), "limits.plans." + plan + "." + kind);
      }
    }
    PATHS.put("CHRYSALIS_VAULT_KEYS", "vault.keys");
    PATHS.put("CHRYSALIS_ALLOW_PRIVATE_BASE_URLS", "vault.allow_private_base_urls");
    PATHS.put("CHRYSALIS_DNS_SERVERS", "outbound.dns_servers");
    PATHS.put("CHRYSALIS_VAULT_VALIDATION_TIMEOUT_MS", "vault.validation_timeout_ms");
    PATHS.put("CHRYSALIS_VAULT_CACHE_SIZE", "vault.cache_size");
    PATHS.put("CHRYSALIS_VAULT_CACHE_TTL_SECONDS", "vault.cache_ttl_seconds");
    PATHS.put("CHRYSALIS_VAULT_MEMBERSHIP_CACHE_SECONDS", "vault.membership_cache_seconds");
    PATHS.put("CHRYSALIS_VAULT_REWRAP_BATCH_SIZE", "vault.rewrap_batch_size");
    PATHS.put("CHRYSALIS_VAULT_MEMBERSHIP_ADDRESS", "vault.membership_address");
    PATHS.put("OPENAI_API_KEY", "providers.openai.api_key");
    PATHS.put("OPENAI_API_BASE", "providers.openai.base_url");
    PATHS.put("ANTHROPIC_API_KEY", "providers.anthropic.api_key");
    PATHS.put("ANTHROPIC_API_BASE", "providers.anthropic.base_url");
    PATHS.put("GOOGLE_API_KEY", "providers.google.api_key");
    PATHS.put("GOOGLE_API_BASE", "providers.google.base_url");
    PATHS.put("MISTRAL_API_KEY", "providers.mistral.api_key");
    PATHS.put("MISTRAL_API_BASE", "providers.mistral.base_url");
    PATHS.put("COHERE_API_KEY", "providers.cohere.api_key");
    PATHS.put("COHERE_API_BASE", "providers.cohere.base_url");
    PATHS.put("OLLAMA_BASE_URL", "providers.ollama.base_url");
    PATHS.put("VLLM_BASE_URL", "providers.vllm.base_url");
    PATHS.put("VLLM_API_KEY", "providers.vllm.api_key");
    PATHS.put("CHRYSALIS_DEFAULT_MODEL", "gateway.default_model");
    PATHS.put("CHRYSALIS_ALLOWED_MODELS", "gateway.allowed_models");
    PATHS.put("CHRYSALIS_UNLISTED_MODELS", "catalog.unlisted_models");
    PATHS.put("CHRYSALIS_UPSTREAM_CONNECT_TIMEOUT_MS", "gateway.connect_timeout_ms");
    PATHS.put("CHRYSALIS_UPSTREAM_FIRST_BYTE_TIMEOUT_MS", "gateway.first_byte_timeout_ms");
    PATHS.put("CHRYSALIS_UPSTREAM_IDLE_TIMEOUT_MS", "gateway.idle_timeout_ms");
    PATHS.put("CHRYSALIS_UPSTREAM_MAX_CONNECTIONS", "gateway.max_upstream_connections");
    PATHS.put("CHRYSALIS_UPSTREAM_MAX_RESPONSE_BYTES", "gateway.max_response_bytes");
    PATHS.put("CHRYSALIS_UPSTREAM_MAX_RETRIES", "gateway.max_retries");
    PATHS.put("CHRYSALIS_UPSTREAM_RETRY_BASE_MS", "gateway.retry_base_ms");
    PATHS.put("CHRYSALIS_UPSTREAM_RETRY_MAX_WAIT_MS", "gateway.retry_max_wait_ms");
    PATHS.put("CHRYSALIS_ANTHROPIC_MAX_TOKENS", "gateway.anthropic_max_tokens");
    PATHS.put("CHRYSALIS_LIVE_MODELS", "gateway.live_models");
    PATHS.put("CHRYSALIS_LIVE_MODELS_TTL_SECONDS", "gateway.live_models_ttl_seconds");
    PATHS.put("CHRYSALIS_THREAD_MAX_MESSAGES", "gateway.thread_max_messages");
    PATHS.put("CHRYSALIS_RESPONSES_MAX_PER_USER", "responses.max_per_user");
    PATHS.put("CHRYSALIS_THREAD_MAX_TOKENS", "gateway.thread_max_tokens");
    PATHS.put("CHRYSALIS_THREAD_ROTATION_RETRY_MS", "gateway.thread_rotation_retry_ms");
    // cluster, metrics, bridge (issue 8); readiness reads the rate limiter's CHRYSALIS_REDIS_URL too
    PATHS.put("CHRYSALIS_CLUSTER", "cluster.enabled");
    PATHS.put("CHRYSALIS_CLUSTER_NAME", "cluster.name");
    PATHS.put("CHRYSALIS_CLUSTER_MEMBERS", "cluster.members");
    PATHS.put("CHRYSALIS_CLUSTER_HOST", "cluster.host");
    PATHS.put("CHRYSALIS_CLUSTER_PUBLIC_HOST", "cluster.public_host");
    PATHS.put("CHRYSALIS_CLUSTER_PORT", "cluster.port");
    PATHS.put("CHRYSALIS_BUS_PORT", "cluster.bus_port");
    PATHS.put("CHRYSALIS_HAZELCAST_CONFIG", "cluster.hazelcast_config");
    PATHS.put("CHRYSALIS_CLUSTER_LEAVE_DRAIN_MS", "cluster.leave_drain_ms");
    PATHS.put("CHRYSALIS_BUS_TLS", "cluster.bus_tls");
    PATHS.put("CHRYSALIS_BUS_ALLOW_PLAINTEXT", "cluster.bus_allow_plaintext");
    PATHS.put("CHRYSALIS_BUS_KEYSTORE", "cluster.bus_keystore");
    PATHS.put("CHRYSALIS_BUS_KEYSTORE_PASSWORD", "cluster.bus_keystore_password");
    PATHS.put("CHRYSALIS_BUS_TRUSTSTORE", "cluster.bus_truststore");
    PATHS.put("CHRYSALIS_BUS_TRUSTSTORE_PASSWORD", "cluster.bus_truststore_password");
    PATHS.put("CHRYSALIS_METRICS_ENABLED", "metrics.enabled");
    PATHS.put("CHRYSALIS_METRICS_TOKEN", "metrics.token");
    PATHS.put("CHRYSALIS_BRIDGE_PORT", "bridge.port");
    PATHS.put("CHRYSALIS_BRIDGE_HOST", "bridge.host");
    PATHS.put("CHRYSALIS_BRIDGE_INBOUND", "bridge.inbound");
    PATHS.put("CHRYSALIS_BRIDGE_OUTBOUND", "bridge.outbound");
    PATHS.put("CHRYSALIS_BRIDGE_TOKEN", "bridge.token");
  }

  private EnvOverrides() {
  }

  public static void apply(JsonObject config, Map<String, String> env) {
    PATHS.forEach((name, path) -> {
      String value = env.get(name);
      if (value != null) {
        set(config, path, value);
      }
    });
  }

  /** Sets a dotted path, coercing the string to the type of the value already there. */
  public static void set(JsonObject config, String path, String value) {
    String[] parts = path.split("\\.");
    JsonObject node = config;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = node.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        node.put(parts[i], next);
      }
      node = next;
    }
    String key = parts[parts.length - 1];
    node.put(key, coerce(node.getValue(key), value, path));
  }

  private static Object coerce(Object current, String value, String path) {
    String v = value.trim();
    try {
      if (current instanceof Boolean) {
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.parseBoolean(v);
      }
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(v);
      }
      if (current instanceof Double || current instanceof Float) {
        return Double.parseDouble(v);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value for " + path + ": expected a number");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid value for " + path + ": " + e.getMessage());
    }
    return value;
  }
}
