package dev.chrysalis.forge.limits;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code limits} section of the config: per plan, how many objects of each kind a user may
 * hold and how many chat calls it may have in flight (0 = unlimited). A plan without an entry
 * gets the entry of the default plan ({@code billing.default_plan}), so an unknown plan is never
 * less limited than the default.
 */
public record PlanLimits(Map<String, Map<Kind, Integer>> plans, String defaultPlan, long slowReaderTimeoutMs) {

  /** What a cap counts; {@link #code()} is the error code of a refusal. */
  public enum Kind {
    API_KEYS("api_keys", "api_key_limit", "API keys"),
    PROJECTS("projects", "project_limit", "projects"),
    THREADS("threads", "thread_limit", "threads"),
    SESSIONS("sessions", "session_limit", "sessions"),
    CONCURRENT_CALLS("concurrent_calls", "too_many_concurrent_calls", "calls in progress");

    private final String key;
    private final String code;
    private final String noun;

    Kind(String key, String code, String noun) {
      this.key = key;
      this.code = code;
      this.noun = noun;
    }

    public String key() {
      return key;
    }

    public String code() {
      return code;
    }

    public String noun() {
      return noun;
    }
  }

  public static final String[] PLAN_IDS = {"free", "pro", "team", "enterprise"};

  public static PlanLimits from(JsonObject config) {
    JsonObject l = config.getJsonObject("limits", new JsonObject());
    JsonObject p = l.getJsonObject("plans", new JsonObject());
    Map<String, Map<Kind, Integer>> plans = new HashMap<>();
    for (String plan : p.fieldNames()) {
      JsonObject entry = p.getJsonObject(plan, new JsonObject());
      Map<Kind, Integer> caps = new HashMap<>();
      for (Kind k : Kind.values()) {
        caps.put(k, Math.max(0, entry.getInteger(k.key(), 0)));
      }
      plans.put(plan, caps);
    }
    String defaultPlan = config.getJsonObject("billing", new JsonObject()).getString("default_plan", "free");
    return new PlanLimits(Map.copyOf(plans), defaultPlan, Math.max(0, l.getLong("slow_reader_timeout_ms", 30_000L)));
  }

  /** The cap of this kind on this plan; 0 = unlimited. */
  public int cap(String planId, Kind kind) {
    Map<Kind, Integer> caps = planId == null ? null : plans.get(planId.toLowerCase(Locale.ROOT));
    if (caps == null) {
      caps = plans.get(defaultPlan);
    }
    return caps == null ? 0 : caps.getOrDefault(kind, 0);
  }
}
