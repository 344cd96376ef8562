package dev.chrysalis.forge.gateway;

/**
 * Turns one upstream stream into OpenAI chunks, event by event, as they arrive. One instance per
 * call; it keeps whatever state the upstream format needs (tool-call indexes, pending finish).
 */
public interface StreamTranslator {

  /** One upstream SSE event ({@code event} may be null) or NDJSON line. */
  void onEvent(String event, String data, ChunkWriter out);

  /** The upstream body ended normally. */
  default void onEnd(ChunkWriter out) {
  }
}
