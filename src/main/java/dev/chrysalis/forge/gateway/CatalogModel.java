package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonObject;

/**
 * One model of the configured catalog. Prices are USD per million tokens. {@code fixedSampling}:
 * the model accepts no sampling settings of the client (temperature 1 only, no low top_p, no
 * top_k: Claude models newer than Opus 4.6); null when the entry does not say, and then the name
 * decides ({@link FixedSampling}).
 */
public record CatalogModel(String id, String provider, String tier, long contextWindow, double inputPrice,
                           double outputPrice, Boolean fixedSampling) {

  static CatalogModel from(String id, JsonObject j) {
    String tier = j.getString("tier", "basic");
    if (!tier.equals("basic") && !tier.equals("advanced")) {
      throw new IllegalArgumentException("catalog.models." + id + ".tier must be basic or advanced");
    }
    String provider = j.getString("provider");
    if (!Providers.ALL.contains(provider)) {
      throw new IllegalArgumentException("catalog.models." + id + ": unknown provider " + provider);
    }
    Object fixed = j.getValue("fixed_sampling");
    if (fixed != null && !(fixed instanceof Boolean)) {
      throw new IllegalArgumentException("catalog.models." + id + ".fixed_sampling must be true or false");
    }
    return new CatalogModel(id, provider, tier, j.getLong("context_window", 0L),
      j.getDouble("input_per_mtok", 0.0), j.getDouble("output_per_mtok", 0.0), (Boolean) fixed);
  }

  /** The model as {@code GET /v1/models/{id}} and {@code GET /api/models/{name}} show it. */
  public JsonObject toJson(long created) {
    return new JsonObject()
      .put("id", id)
      .put("object", "model")
      .put("created", created)
      .put("owned_by", provider)
      .put("provider", provider)
      .put("tier", tier)
      .put("context_window", contextWindow)
      .put("pricing", new JsonObject()
        .put("currency", "USD")
        .put("unit", "1M tokens")
        .put("input", inputPrice)
        .put("output", outputPrice));
  }
}
