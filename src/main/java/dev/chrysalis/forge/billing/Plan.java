package dev.chrysalis.forge.billing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** One plan of the plans table in conf: a daily message limit (null = unlimited) and features. */
public record Plan(String id, String name, Integer dailyLimit, List<String> features, Integer ratePerMinute) {

  public boolean has(String feature) {
    return features.contains(feature);
  }

  public boolean unlimited() {
    return dailyLimit == null;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject()
      .put("plan_id", id)
      .put("name", name)
      .put("features", new JsonArray(List.copyOf(features)))
      .put("daily_limit", dailyLimit);
    if (ratePerMinute != null) {
      j.put("rate_per_minute", ratePerMinute);
    }
    return j;
  }
}
