package dev.chrysalis.forge.limits;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code limits} section of the config: per plan, how many objects of each kind a user may
 * hold and how many chat calls it may have in flight (0 = unlimited), and what one chat call on
 * the service's provider key may ask for ({@link ServiceKeyCalls}). A plan without an entry gets
 * the entry of the default plan ({@code billing.default_plan}), so an unknown plan is never less
 * limited than the default.
 */
public record PlanLimits(Map<String, Map<Kind, Integer>> plans, Map<String, ServiceKeyCalls> serviceKeyCalls,
                         String defaultPlan, long slowReaderTimeoutMs) {

  /**
   * Request options that raise the provider's price of a call beyond its tokens at the catalog
   * price: a paid {@code service_tier}, audio output ({@code modalities} with {@code audio}, or
   * {@code audio}), predicted outputs ({@code prediction}: rejected prediction tokens are billed
   * as output) and web search ({@code web_search_options}: billed per search).
   */
  public static final Set<String> PRICED_OPTIONS = Set.of("service_tier", "audio", "prediction", "web_search_options");

  /**
   * What one chat call on the service's provider key may ask for: at most {@code maxChoices}
   * choices ({@code n}; 0 = any), at most {@code maxOutputTokens} output tokens (0 = the model's
   * own limit), and only the {@link #PRICED_OPTIONS} listed. Calls on the caller's own key are not limited.
   */
  public record ServiceKeyCalls(int maxChoices, int maxOutputTokens, Set<String> pricedOptions) {

    static final ServiceKeyCalls NONE_EXTRA = new ServiceKeyCalls(1, 4096, Set.of());
  }

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
    Map<String, ServiceKeyCalls> calls = new HashMap<>();
    for (String plan : p.fieldNames()) {
      JsonObject entry = p.getJsonObject(plan, new JsonObject());
      Map<Kind, Integer> caps = new HashMap<>();
      for (Kind k : Kind.values()) {
        caps.put(k, Math.max(0, entry.getInteger(k.key(), 0)));
      }
      plans.put(plan, caps);
      calls.put(plan, new ServiceKeyCalls(Math.max(0, entry.getInteger("max_choices", 1)),
        Math.max(0, entry.getInteger("max_output_tokens", ServiceKeyCalls.NONE_EXTRA.maxOutputTokens())),
        pricedOptions(plan, entry.getValue("priced_options"))));
    }
    String defaultPlan = config.getJsonObject("billing", new JsonObject()).getString("default_plan", "free");
    return new PlanLimits(Map.copyOf(plans), Map.copyOf(calls), defaultPlan,
      Math.max(0, l.getLong("slow_reader_timeout_ms", 30_000L)));
  }

  /** A YAML list or a comma-separated string (the environment's form); a name not known is a config error. */
  private static Set<String> pricedOptions(String plan, Object value) {
    List<String> names = new ArrayList<>();
    if (value instanceof JsonArray list) {
      list.forEach(o -> names.add(String.valueOf(o)));
    } else if (value instanceof String s) {
      names.addAll(List.of(s.split(",")));
    }
    Set<String> out = new HashSet<>();
    for (String n : names) {
      String name = n.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      if (!PRICED_OPTIONS.contains(name)) {
        throw new IllegalArgumentException("limits.plans." + plan + ".priced_options: unknown option '" + name
          + "' (known: service_tier, audio, prediction, web_search_options)");
      }
      out.add(name);
    }
    return Set.copyOf(out);
  }

  /** What a service-key call may ask for on this plan (the default plan's entry for a plan not listed). */
  public ServiceKeyCalls serviceKeyCalls(String planId) {
    ServiceKeyCalls c = planId == null ? null : serviceKeyCalls.get(planId.toLowerCase(Locale.ROOT));
    if (c == null) {
      c = serviceKeyCalls.get(defaultPlan);
    }
    return c == null ? ServiceKeyCalls.NONE_EXTRA : c;
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
