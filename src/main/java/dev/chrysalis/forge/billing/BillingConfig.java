package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.catalog.ModelCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code billing} section of the config, and the model catalog (tiers, prices). */
public record BillingConfig(
  Map<String, Plan> plans,
  String defaultPlan,
  String membershipAddress,
  Outbox outbox,
  Reservations reservations,
  Autumn autumn,
  ModelCatalog catalog) {

  /** Autumn settings; {@link #enabled()} when a secret key is configured. */
  public record Autumn(String secretKey, String apiBase, long timeoutMs, String messageFeatureId, long checkCacheMs,
                       long planCacheMs) {
    public boolean enabled() {
      return secretKey != null && !secretKey.isBlank();
    }
  }

  public record Outbox(long intervalMs, int batch, long backoffBaseMs, long backoffMaxMs, int maxAttempts) {
  }

  /** Open reservations older than {@code maxAgeMs} are given back, looked for every {@code sweepIntervalMs}. */
  public record Reservations(long maxAgeMs, long sweepIntervalMs) {
  }

  public static BillingConfig from(JsonObject config) {
    JsonObject b = config.getJsonObject("billing", new JsonObject());
    Map<String, Plan> plans = new LinkedHashMap<>();
    JsonObject planTable = b.getJsonObject("plans", new JsonObject());
    for (String id : planTable.fieldNames()) {
      JsonObject p = planTable.getJsonObject(id);
      Integer limit = p.getValue("daily_limit") == null ? null : p.getInteger("daily_limit");
      if ("free".equals(id) && b.getValue("free_daily_limit") != null) {
        limit = b.getInteger("free_daily_limit");
      }
      if (limit != null && limit < 0) {
        throw new IllegalArgumentException("billing.plans." + id + ".daily_limit must be >= 0 or null");
      }
      List<String> features = new ArrayList<>();
      p.getJsonArray("features", new JsonArray()).forEach(f -> features.add(String.valueOf(f)));
      plans.put(id, new Plan(id, p.getString("name", id), limit, Collections.unmodifiableList(features),
        p.getInteger("rate_per_minute")));
    }
    if (plans.isEmpty()) {
      throw new IllegalArgumentException("billing.plans is empty: at least one plan is needed");
    }
    String defaultPlan = b.getString("default_plan", "free");
    if (!plans.containsKey(defaultPlan)) {
      throw new IllegalArgumentException("billing.default_plan '" + defaultPlan + "' is not in billing.plans");
    }

    JsonObject o = b.getJsonObject("outbox", new JsonObject());
    Outbox outbox = new Outbox(o.getLong("interval_ms", 1000L), o.getInteger("batch", 50),
      o.getLong("backoff_base_ms", 1000L), o.getLong("backoff_max_ms", 300_000L), o.getInteger("max_attempts", 50));

    JsonObject rs = b.getJsonObject("reservations", new JsonObject());
    long maxAge = rs.getLong("max_age_seconds", 900L);
    long sweepEvery = rs.getLong("sweep_interval_seconds", 60L);
    if (maxAge < 1 || sweepEvery < 1) {
      throw new IllegalArgumentException("billing.reservations.max_age_seconds and sweep_interval_seconds must be at least 1");
    }
    Reservations reservations = new Reservations(maxAge * 1_000L, sweepEvery * 1_000L);

    JsonObject a = b.getJsonObject("autumn", new JsonObject());
    String base = a.getString("api_base", "https://api.useautumn.com");
    Autumn autumn = new Autumn(a.getString("secret_key", ""), base.endsWith("/") ? base.substring(0, base.length() - 1) : base,
      a.getLong("timeout_ms", 5000L), a.getString("message_feature_id", "messages"),
      a.getLong("check_cache_ms", 5000L), a.getLong("plan_cache_ms", 60_000L));
    if (autumn.enabled() && !autumn.secretKey().startsWith("am_sk_")) {
      throw new IllegalArgumentException("AUTUMN_SECRET_KEY must start with am_sk_test_ or am_sk_live_");
    }

    ModelCatalog catalog = ModelCatalog.from(config);

    return new BillingConfig(Collections.unmodifiableMap(plans), defaultPlan,
      b.getString("membership_address", "forge.workspace"), outbox, reservations, autumn, catalog);
  }

  public Plan plan(String id) {
    return id == null ? null : plans.get(id);
  }

  public Plan defaultPlanRecord() {
    return plans.get(defaultPlan);
  }
}
