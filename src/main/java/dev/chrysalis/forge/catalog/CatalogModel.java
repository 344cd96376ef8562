package dev.chrysalis.forge.catalog;

import dev.chrysalis.forge.gateway.Providers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One model family of the configured catalog. Prices are USD per million tokens. {@code aliases}
 * are other names of the same family (for example {@code chatgpt-4o-latest} of {@code gpt-4o}).
 * {@code fixedSampling}: the model accepts no sampling settings of the client (temperature 1 only,
 * no low top_p, no top_k: Claude models newer than Opus 4.6); null when the entry does not say,
 * and then the name decides. {@code kind}: {@value #CHAT} or {@value #EMBEDDING} (an embedding model
 * is priced by input tokens only; its output price is 0).
 */
public record CatalogModel(String id, String provider, String tier, long contextWindow, double inputPrice,
                           double outputPrice, Boolean fixedSampling, List<String> aliases, String kind) {

  public static final String BASIC = "basic";
  public static final String ADVANCED = "advanced";
  /** What a model does: answers chats (the default) or turns text into vectors. */
  public static final String CHAT = "chat";
  public static final String EMBEDDING = "embedding";

  public boolean embedding() {
    return EMBEDDING.equals(kind);
  }

  static CatalogModel from(String id, JsonObject j) {
    String tier = tier(j.getValue("tier", BASIC), "catalog.models." + id + ".tier");
    String provider = j.getString("provider");
    if (!Providers.ALL.contains(provider)) {
      throw new IllegalArgumentException("catalog.models." + id + ": unknown provider " + provider);
    }
    Object fixed = j.getValue("fixed_sampling");
    if (fixed != null && !(fixed instanceof Boolean)) {
      throw new IllegalArgumentException("catalog.models." + id + ".fixed_sampling must be true or false");
    }
    List<String> aliases = new ArrayList<>();
    Object a = j.getValue("aliases");
    if (a != null && !(a instanceof JsonArray)) {
      throw new IllegalArgumentException("catalog.models." + id + ".aliases must be a list of names");
    }
    if (a != null) {
      for (Object o : (JsonArray) a) {
        if (!(o instanceof String s) || s.isBlank()) {
          throw new IllegalArgumentException("catalog.models." + id + ".aliases must be a list of names");
        }
        aliases.add(s.trim());
      }
    }
    Object kind = j.getValue("kind", CHAT);
    if (!CHAT.equals(kind) && !EMBEDDING.equals(kind)) {
      throw new IllegalArgumentException("catalog.models." + id + ".kind must be chat or embedding");
    }
    return new CatalogModel(id, provider, tier, j.getLong("context_window", 0L),
      price(j, "input_per_mtok", id), price(j, "output_per_mtok", id), (Boolean) fixed, List.copyOf(aliases),
      (String) kind);
  }

  static String tier(Object value, String at) {
    if (!BASIC.equals(value) && !ADVANCED.equals(value)) {
      throw new IllegalArgumentException(at + " must be basic or advanced");
    }
    return (String) value;
  }

  static double price(JsonObject j, String key, String at) {
    Object v = j.getValue(key, 0.0);
    if (!(v instanceof Number n) || n.doubleValue() < 0 || Double.isNaN(n.doubleValue())) {
      throw new IllegalArgumentException("catalog " + at + "." + key + " must be a number >= 0");
    }
    return n.doubleValue();
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
      .put("kind", kind)
      .put("context_window", contextWindow)
      .put("pricing", new JsonObject()
        .put("currency", "USD")
        .put("unit", "1M tokens")
        .put("input", inputPrice)
        .put("output", outputPrice));
  }
}
