package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonObject;

/**
 * Speaks one upstream wire format. Requests are translated from the OpenAI chat body; answers are
 * translated back into OpenAI shape, with usage in OpenAI terms. Errors are mapped by
 * {@link UpstreamError} for every format. Adapters are stateless; per-call stream state lives
 * in the {@link StreamTranslator}.
 */
public interface ProviderAdapter {

  /** The upstream request; throws a 400 ServiceException for what this upstream cannot do. */
  UpstreamCall request(ChatCall call, Credentials credentials);

  /** A non-streamed upstream answer as an OpenAI {@code chat.completion} (with {@code usage}). */
  JsonObject response(JsonObject upstream, ChatCall call);

  StreamTranslator stream(ChatCall call);

  static ProviderAdapter forProvider(String provider, GatewayConfig config) {
    return switch (provider) {
      case "anthropic" -> new AnthropicAdapter(config.anthropicMaxTokens());
      case "google" -> new GeminiAdapter();
      case "cohere" -> new CohereAdapter();
      default -> new OpenAiCompatibleAdapter(provider);
    };
  }
}
