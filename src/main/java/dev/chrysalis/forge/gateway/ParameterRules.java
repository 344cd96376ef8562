package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.Map;
import java.util.Set;

/**
 * The one rule for chat parameters a provider cannot honour: a parameter is either served
 * (passed on, or mapped onto the provider's own mechanism) or refused with 400
 * {@code unsupported_parameter} naming it, before any billing or upstream work; it is never
 * dropped or changed silently. A parameter sent with its "off" value (null, false, an empty list
 * or object, 0 for a penalty or {@code top_logprobs}, {@code response_format} of type text) asks
 * for nothing and is accepted everywhere. OpenAI-compatible upstreams (OpenAI, Mistral, Ollama,
 * vLLM, custom) get the body as it is and answer for it themselves. The table per provider is in
 * docs/operations.md.
 */
final class ParameterRules {

  /** Served by every translating adapter (or read by the gateway itself). */
  static final Set<String> COMMON = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
    "max_completion_tokens", "temperature", "top_p", "stop", "n", "tools", "tool_choice", "parallel_tool_calls",
    "user", "org_id");
  /** What each translating provider serves besides {@link #COMMON}. */
  static final Map<String, Set<String>> EXTRA = Map.of(
    "anthropic", Set.of(),
    "google", Set.of("seed", "presence_penalty", "frequency_penalty", "response_format"),
    "cohere", Set.of("seed", "presence_penalty", "frequency_penalty", "response_format"));
  /** Providers whose temperature ends at 1 (OpenAI's at 2). */
  static final Set<String> TEMPERATURE_TO_ONE = Set.of("anthropic", "cohere");
  private static final Set<String> ZERO_IS_OFF = Set.of("frequency_penalty", "presence_penalty", "top_logprobs");

  private ParameterRules() {
  }

  static void check(String provider, JsonObject body) {
    Set<String> extra = EXTRA.get(provider);
    if (extra == null) {
      return;
    }
    for (String field : body.fieldNames()) {
      if (!COMMON.contains(field) && !extra.contains(field) && !off(field, body.getValue(field))) {
        throw unsupported(field, "The " + provider + " provider cannot honour '" + field + "'; leave it out or "
          + "choose a model of a provider that can.");
      }
    }
    if (TEMPERATURE_TO_ONE.contains(provider) && body.getValue("temperature") instanceof Number t
      && t.doubleValue() > 1) {
      throw unsupported("temperature", "The " + provider + " provider takes a temperature from 0 to 1.");
    }
  }

  static boolean off(String field, Object v) {
    if (v == null || Boolean.FALSE.equals(v)) {
      return true;
    }
    if (v instanceof JsonObject o && o.isEmpty() || v instanceof JsonArray a && a.isEmpty()) {
      return true;
    }
    if (ZERO_IS_OFF.contains(field) && v instanceof Number n && n.doubleValue() == 0) {
      return true;
    }
    return field.equals("response_format") && v instanceof JsonObject rf && "text".equals(rf.getValue("type"));
  }

  private static ServiceException unsupported(String param, String message) {
    return Errors.error(400, "unsupported_parameter", message, param);
  }
}
