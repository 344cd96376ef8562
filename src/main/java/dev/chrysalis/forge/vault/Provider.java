package dev.chrysalis.forge.vault;

import java.util.Locale;

/**
 * The providers a key can be stored for, with what differs between them: the format check the
 * original service applied, and how a key is checked live (the models list, with the provider's
 * own auth header). Bases (docs/operations.md, provider-key vault): OpenAI's and custom's include the version, the others
 * are hosts.
 */
public enum Provider {
  OPENAI("/models", Auth.BEARER),
  ANTHROPIC("/v1/models", Auth.ANTHROPIC),
  GOOGLE("/v1beta/models", Auth.GOOGLE),
  MISTRAL("/v1/models", Auth.BEARER),
  COHERE("/v1/models", Auth.BEARER),
  OLLAMA("/v1/models", Auth.BEARER),
  VLLM("/v1/models", Auth.BEARER),
  CUSTOM("/models", Auth.BEARER);

  /** How the provider expects its key on a request. */
  public enum Auth { BEARER, ANTHROPIC, GOOGLE }

  private final String modelsPath;
  private final Auth auth;

  Provider(String modelsPath, Auth auth) {
    this.modelsPath = modelsPath;
    this.auth = auth;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String modelsPath() {
    return modelsPath;
  }

  public Auth auth() {
    return auth;
  }

  /** Ollama and vLLM run without a key by default; the rest need one for a service key to count. */
  public boolean keyOptional() {
    return this == OLLAMA || this == VLLM;
  }

  public static Provider parse(String id) {
    if (id == null) {
      return null;
    }
    for (Provider p : values()) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    return null;
  }

  /** The original service's format checks; null when the key looks right. */
  public String formatProblem(String key) {
    return switch (this) {
      case OPENAI -> key.startsWith("sk-") ? null : "An OpenAI key starts with 'sk-'.";
      case ANTHROPIC -> key.startsWith("sk-ant-") ? null : "An Anthropic key starts with 'sk-ant-'.";
      case GOOGLE -> key.length() > 20 ? null : "A Google API key is longer than 20 characters.";
      default -> null;
    };
  }
}
