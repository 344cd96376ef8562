package dev.chrysalis.forge.billing;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One completed call for the usage ledger, validated. {@code estimated}: the token counts are the
 * gateway's estimate, not the provider's report.
 */
record UsageEvent(String id, String userId, String orgId, String sessionId, String model, String provider,
                  long inputTokens, long outputTokens, BigDecimal costUsd, boolean byok, boolean estimated,
                  String providerKeyId, String reservationId, LocalDate day) {

  long tokens() {
    return inputTokens + outputTokens;
  }

  JsonObject trackProperties() {
    return new JsonObject().put("request_id", id).put("user_id", userId).put("model", model).put("provider", provider)
      .put("input_tokens", inputTokens).put("output_tokens", outputTokens).put("cost_usd", costUsd.doubleValue())
      .put("is_byok", byok).put("estimated", estimated);
  }
}
