package dev.chrysalis.forge.billing;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One completed call for the usage ledger, validated. {@code id} is the server's id of the call;
 * {@code clientRequestId} the client's {@code x-request-id}, kept for correlation only.
 * {@code model} is the catalog's canonical model, {@code requestedModel} the name the client sent.
 * {@code estimated}: the token counts are the
 * gateway's estimate, not the provider's report.
 */
record UsageEvent(String id, String userId, String orgId, String sessionId, String model, String requestedModel,
                  String clientRequestId, String provider,
                  long inputTokens, long outputTokens, BigDecimal costUsd, boolean byok, boolean estimated,
                  String providerKeyId, String reservationId, LocalDate day) {

  /** An event whose requested name is its canonical model and that has no client correlation id. */
  UsageEvent(String id, String userId, String orgId, String sessionId, String model, String provider, long inputTokens,
             long outputTokens, BigDecimal costUsd, boolean byok, boolean estimated, String providerKeyId,
             String reservationId, LocalDate day) {
    this(id, userId, orgId, sessionId, model, model, null, provider, inputTokens, outputTokens, costUsd, byok, estimated,
      providerKeyId, reservationId, day);
  }

  long tokens() {
    return inputTokens + outputTokens;
  }

  JsonObject trackProperties() {
    return new JsonObject().put("request_id", id).put("client_request_id", clientRequestId).put("user_id", userId)
      .put("model", model).put("requested_model", requestedModel).put("provider", provider)
      .put("input_tokens", inputTokens).put("output_tokens", outputTokens).put("cost_usd", costUsd.doubleValue())
      .put("is_byok", byok).put("estimated", estimated);
  }
}
