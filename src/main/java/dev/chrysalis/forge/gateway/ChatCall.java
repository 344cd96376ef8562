package dev.chrysalis.forge.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One chat request after routing: the client's OpenAI-format body (already checked), where it
 * goes, and the id/created every chunk of the answer repeats. {@code heldOpen} (thread chat
 * streams): the caller finishes the stream itself, so the proxy keeps the streamed text, writes no
 * {@code [DONE]} and leaves the response open. {@code tap}: the stream's chat events go there
 * instead of to the client (see {@link ChunkTap}); null for chat completions. {@code raw}: the
 * client's bytes {@code body} was parsed from (with no key repeated, so both say the same), which an
 * OpenAI-compatible upstream is sent as they are when nothing needs translating; null when the
 * body was built by the service.
 */
public record ChatCall(JsonObject body, ModelRoute route, boolean stream, boolean includeUsage, String completionId,
                       long created, boolean heldOpen, ChunkTap tap, Buffer raw) {

  public ChatCall(JsonObject body, ModelRoute route, boolean stream, boolean includeUsage, String completionId,
                  long created, boolean heldOpen, ChunkTap tap) {
    this(body, route, stream, includeUsage, completionId, created, heldOpen, tap, null);
  }

  public ChatCall(JsonObject body, ModelRoute route, boolean stream, boolean includeUsage, String completionId,
                  long created, boolean heldOpen) {
    this(body, route, stream, includeUsage, completionId, created, heldOpen, null);
  }

  public ChatCall(JsonObject body, ModelRoute route, boolean stream, boolean includeUsage, String completionId,
                  long created) {
    this(body, route, stream, includeUsage, completionId, created, false);
  }

  public String provider() {
    return route.provider();
  }

  public String upstreamModel() {
    return route.upstreamModel();
  }

  /** The model name the client sees in every answer: the name it asked for. */
  public String clientModel() {
    return route.requested();
  }

  /** max_completion_tokens, else max_tokens, else null. */
  public Integer maxTokens() {
    Object v = body.getValue("max_completion_tokens");
    if (!(v instanceof Number)) {
      v = body.getValue("max_tokens");
    }
    return v instanceof Number n ? n.intValue() : null;
  }

  public int n() {
    Object v = body.getValue("n");
    return v instanceof Number n ? n.intValue() : 1;
  }
}
