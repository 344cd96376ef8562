package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonObject;

/**
 * Token counts of one call in OpenAI terms. {@code estimated} marks counts the gateway computed
 * itself (about four characters per token) because the upstream never reported them, as happens
 * when the client or the upstream drops the stream before the usage event.
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, boolean estimated) {

  public static final Usage NONE = new Usage(0, 0, 0, true);

  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  public JsonObject toJson() {
    JsonObject u = new JsonObject()
      .put("prompt_tokens", promptTokens)
      .put("completion_tokens", completionTokens)
      .put("total_tokens", totalTokens());
    if (cachedTokens > 0) {
      u.put("prompt_tokens_details", new JsonObject().put("cached_tokens", cachedTokens));
    }
    return u;
  }

  /** Reads an OpenAI {@code usage} object; null when absent. */
  public static Usage fromOpenAi(JsonObject u) {
    if (u == null) {
      return null;
    }
    JsonObject details = u.getJsonObject("prompt_tokens_details");
    long cached = details == null || details.getValue("cached_tokens") == null ? 0 : details.getLong("cached_tokens", 0L);
    return new Usage(num(u, "prompt_tokens"), num(u, "completion_tokens"), cached, false);
  }

  static long num(JsonObject o, String key) {
    if (o == null) {
      return 0;
    }
    Object v = o.getValue(key);
    return v instanceof Number n ? n.longValue() : 0;
  }

  /** Rough token count of text: one per four characters, at least one for any text. */
  public static long estimateTokens(long chars) {
    return chars <= 0 ? 0 : Math.max(1, (chars + 3) / 4);
  }
}
