package dev.chrysalis.forge.catalog;

import dev.chrysalis.forge.gateway.Providers;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one model catalog: it alone reads the {@code catalog} section of the config and answers, for
 * any requested name, the canonical model, its provider, tier and price. Routing, billing, the
 * model list, thread chat and metrics all ask it.
 *
 * <p>A name resolves in this order, with map lookups only (no pattern matching per request):
 * an optional provider prefix ({@code openai/…}) is split off; the rest, lower-cased, is looked up
 * among family ids and aliases; failing that, a trailing snapshot date ({@code -2024-08-06},
 * {@code -20241022}) or {@code -latest} is dropped and the lookup repeated. A family found under
 * another provider than the prefix named does not count. A name still not placed is
 * <em>unlisted</em>: it belongs to the provider its prefix names (explicit, or by the name's
 * start: {@code gpt-} is OpenAI, …) and is tiered and priced as that provider's most expensive
 * family, never cheaper and never a lower tier than any family it could be. A self-hosted provider
 * (ollama, vllm, custom) may instead be given a configured tier and price for unlisted names
 * ({@code catalog.unlisted}), $0 included. With {@code catalog.unlisted_models: refuse} unlisted
 * names of providers without such an entry are not served at all.
 */
public final class ModelCatalog {

  /** Providers whose unlisted names may carry an operator-configured price (they run on the operator's or user's hardware). */
  static final List<String> SELF_HOSTED = List.of("ollama", "vllm", "custom");

  /** Tier and price of a provider's unlisted names. */
  private record Fallback(String tier, double inputPrice, double outputPrice) {
  }

  private final Map<String, CatalogModel> byId = new LinkedHashMap<>();
  /** Lower-cased family ids and aliases. */
  private final Map<String, CatalogModel> byName = new HashMap<>();
  private final Map<String, Fallback> fallbacks = new HashMap<>();

  private ModelCatalog(Map<String, CatalogModel> models, Map<String, Fallback> configured, boolean refuseUnlisted) {
    for (CatalogModel m : models.values()) {
      byId.put(m.id(), m);
      name(m.id(), m);
      m.aliases().forEach(a -> name(a, m));
    }
    if (!refuseUnlisted) {
      // the most expensive family of each provider, tier and prices taken at their highest separately
      for (CatalogModel m : byId.values()) {
        Fallback f = fallbacks.get(m.provider());
        fallbacks.put(m.provider(), f == null ? new Fallback(m.tier(), m.inputPrice(), m.outputPrice())
          : new Fallback(CatalogModel.ADVANCED.equals(m.tier()) ? m.tier() : f.tier(),
            Math.max(f.inputPrice(), m.inputPrice()), Math.max(f.outputPrice(), m.outputPrice())));
      }
    }
    // with refuse, only the self-hosted providers an operator priced still serve unlisted names
    fallbacks.putAll(configured);
  }

  private void name(String name, CatalogModel m) {
    CatalogModel before = byName.put(name.toLowerCase(Locale.ROOT), m);
    if (before != null && before != m) {
      throw new IllegalArgumentException("catalog: the name " + name + " belongs to both " + before.id() + " and " + m.id());
    }
  }

  /** The catalog of a whole config ({@code catalog.models}, {@code catalog.unlisted}, {@code catalog.unlisted_models}). */
  public static ModelCatalog from(JsonObject config) {
    JsonObject c = config.getJsonObject("catalog", new JsonObject());
    JsonObject table = c.getJsonObject("models", new JsonObject());
    Map<String, CatalogModel> models = new LinkedHashMap<>();
    for (String id : table.fieldNames()) {
      models.put(id, CatalogModel.from(id, table.getJsonObject(id)));
    }
    Map<String, Fallback> configured = new HashMap<>();
    JsonObject unlisted = c.getJsonObject("unlisted", new JsonObject());
    for (String provider : unlisted.fieldNames()) {
      if (!SELF_HOSTED.contains(provider)) {
        throw new IllegalArgumentException("catalog.unlisted." + provider
          + ": only self-hosted providers (" + String.join(", ", SELF_HOSTED) + ") may price unlisted models;"
          + " the others are priced as their most expensive model");
      }
      JsonObject f = unlisted.getJsonObject(provider);
      configured.put(provider, new Fallback(CatalogModel.tier(f.getValue("tier", CatalogModel.BASIC),
        "catalog.unlisted." + provider + ".tier"), CatalogModel.price(f, "input_per_mtok", provider),
        CatalogModel.price(f, "output_per_mtok", provider)));
    }
    String mode = c.getString("unlisted_models", "most_expensive");
    if (!mode.equals("most_expensive") && !mode.equals("refuse")) {
      throw new IllegalArgumentException("catalog.unlisted_models must be most_expensive or refuse");
    }
    return new ModelCatalog(models, configured, mode.equals("refuse"));
  }

  public List<CatalogModel> models() {
    return List.copyOf(byId.values());
  }

  /**
   * The catalog's answer for a requested name, or null when no provider can be placed for it (or
   * unlisted names are refused). Blank names are the caller's business (defaults).
   */
  public ResolvedModel resolve(String requested) {
    if (requested == null) {
      return null;
    }
    String name = requested.trim();
    String lower = name.toLowerCase(Locale.ROOT);
    String explicit = null;
    int slash = lower.indexOf('/');
    if (slash > 0 && Providers.ALL.contains(lower.substring(0, slash))) {
      explicit = lower.substring(0, slash);
      name = name.substring(slash + 1);
      lower = lower.substring(slash + 1);
    }
    if (lower.isBlank()) {
      return null;
    }
    CatalogModel family = byName.get(lower);
    if (family == null) {
      String undated = undated(lower);
      family = undated == null ? null : byName.get(undated);
    }
    if (family != null && (explicit == null || explicit.equals(family.provider()))) {
      String upstream = lower.equals(family.id().toLowerCase(Locale.ROOT)) ? family.id() : name;
      return new ResolvedModel(requested, family.id(), family.provider(), upstream, family, family.tier(),
        family.inputPrice(), family.outputPrice());
    }
    String provider = explicit != null ? explicit : Providers.byPrefix(lower);
    Fallback f = provider == null ? null : fallbacks.get(provider);
    if (f == null) {
      return null;
    }
    return new ResolvedModel(requested, provider + "/" + lower, provider, name, null, f.tier(), f.inputPrice(),
      f.outputPrice());
  }

  /**
   * The price and tier of the most expensive family of the whole catalog: what billing charges for
   * a name it is asked to record but cannot place (the gateway never sends one).
   */
  public ResolvedModel mostExpensive() {
    double in = 0;
    double out = 0;
    String tier = CatalogModel.BASIC;
    for (CatalogModel m : byId.values()) {
      in = Math.max(in, m.inputPrice());
      out = Math.max(out, m.outputPrice());
      tier = CatalogModel.ADVANCED.equals(m.tier()) ? m.tier() : tier;
    }
    return new ResolvedModel(null, ResolvedModel.OTHER, null, null, null, tier, in, out);
  }

  /** A catalog family by its id, alias or a dated snapshot of it (not unlisted names); null otherwise. */
  public CatalogModel find(String name) {
    ResolvedModel r = resolve(name);
    return r == null ? null : r.entry();
  }

  /** The metrics label of a model name: its family id when listed, {@value ResolvedModel#OTHER} otherwise. */
  public String label(String name) {
    ResolvedModel r = resolve(name);
    return r == null ? ResolvedModel.OTHER : r.label();
  }

  /**
   * The name without a trailing snapshot date ({@code -YYYY-MM-DD}, {@code -YYYYMMDD}) or
   * {@code -latest}, or null when it has none.
   */
  static String undated(String lower) {
    int n = lower.length();
    if (n > 11 && lower.charAt(n - 11) == '-' && lower.charAt(n - 6) == '-' && lower.charAt(n - 3) == '-'
      && digits(lower, n - 10, n - 6) && digits(lower, n - 5, n - 3) && digits(lower, n - 2, n)) {
      return lower.substring(0, n - 11);
    }
    if (n > 9 && lower.charAt(n - 9) == '-' && digits(lower, n - 8, n)) {
      return lower.substring(0, n - 9);
    }
    if (n > 7 && lower.endsWith("-latest")) {
      return lower.substring(0, n - 7);
    }
    return null;
  }

  private static boolean digits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
