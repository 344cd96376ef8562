package dev.chrysalis.forge.gateway;

import io.vertx.core.buffer.Buffer;

/**
 * Where a streamed call's events go when another API than chat completions answers the client
 * (the Responses API): it receives each complete {@code chat.completion.chunk} SSE event the
 * gateway would have written ({@code data: …\n\n}, the usage chunk and a final error event
 * included) and writes to the client what that API shows instead. The call is held open (see
 * {@link ChatCall#heldOpen()}), so the tap's owner ends the stream.
 */
public interface ChunkTap {

  void event(Buffer chatEvent);
}
