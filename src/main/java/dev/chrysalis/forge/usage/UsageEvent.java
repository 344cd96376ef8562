package dev.chrysalis.forge.usage;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * One completed upstream call, published on {@value #ADDRESS} (cluster-wide, and outbound on the
 * TCP bridge) so metering, audit or billing code in any language can follow usage. The gateway
 * publishes one per completed call; fields are listed in docs/event-bus.md. Never carries
 * prompts, completions or keys.
 */
public final class UsageEvent {

  public static final String ADDRESS = "forge.usage.recorded";
  static final List<String> REQUIRED = List.of("id", "user_id", "provider", "model");

  private UsageEvent() {
  }

  /**
   * @param event {id (request id), user_id, org_id?, session_id?, provider, model, input_tokens,
   *              output_tokens, is_byok, provider_key_id?, stream?, duration_ms?}
   */
  public static void publish(Vertx vertx, JsonObject event) {
    for (String field : REQUIRED) {
      if (event.getString(field) == null) {
        throw new IllegalArgumentException("usage event without " + field);
      }
    }
    JsonObject out = event.copy();
    out.remove("key");
    out.put("input_tokens", event.getLong("input_tokens", 0L))
      .put("output_tokens", event.getLong("output_tokens", 0L))
      .put("is_byok", event.getBoolean("is_byok", false));
    if (!out.containsKey("at")) {
      out.put("at", Instant.now().toString());
    }
    vertx.eventBus().publish(ADDRESS, out);
  }
}
