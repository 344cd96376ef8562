package dev.chrysalis.forge.gateway;

import java.util.List;
import java.util.Set;

/** The provider names the gateway speaks to, and which wire format each uses. */
public final class Providers {

  public static final List<String> ALL =
    List.of("openai", "anthropic", "google", "mistral", "cohere", "ollama", "vllm", "custom");
  /** Providers that speak the OpenAI chat-completions format. */
  public static final Set<String> OPENAI_COMPATIBLE = Set.of("openai", "mistral", "ollama", "vllm", "custom");
  /** Providers that answer without a key (a key is still sent when one is configured). */
  public static final Set<String> KEYLESS = Set.of("ollama", "vllm");

  private Providers() {
  }

  /** The provider a bare model name belongs to by its prefix, or null. */
  public static String byPrefix(String model) {
    String m = model.toLowerCase(java.util.Locale.ROOT);
    if (m.startsWith("gpt-") || m.startsWith("o1") || m.startsWith("o3") || m.startsWith("o4")
      || m.startsWith("chatgpt-") || m.startsWith("text-embedding-")) {
      return "openai";
    }
    if (m.startsWith("claude")) {
      return "anthropic";
    }
    if (m.startsWith("gemini")) {
      return "google";
    }
    if (m.startsWith("mistral") || m.startsWith("codestral") || m.startsWith("ministral")
      || m.startsWith("magistral") || m.startsWith("pixtral") || m.startsWith("open-mistral")) {
      return "mistral";
    }
    if (m.startsWith("command") || m.startsWith("embed-")) {
      return "cohere";
    }
    return null;
  }
}
