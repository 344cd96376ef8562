package dev.chrysalis.forge.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.function.Consumer;

/**
 * Writes the OpenAI {@code chat.completion.chunk} stream a client sees, whatever the upstream
 * speaks: the role in the first delta, the same id/created/model on every chunk, exactly one
 * finish_reason, the usage chunk only when the client asked for it, then {@code data: [DONE]}.
 * Every event ends with a blank line. Also counts the streamed characters, which is what an
 * estimate of the output tokens is based on when the upstream never reports usage.
 *
 * <p>A held writer (thread chat) also keeps the text of the first choice, so the caller can store
 * what the client saw, and leaves {@code [DONE]} to the caller, which writes it once that is stored.
 * Other writers keep no text: an answer is never held in memory on the plain chat path.
 */
public final class ChunkWriter {

  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private final String id;
  private final long created;
  private final String model;
  private final boolean includeUsage;
  private final Consumer<Buffer> out;
  private final StringBuilder text;
  private String finishReason;
  private boolean roleSent;
  private boolean finishSent;
  private boolean closed;
  private long streamedChars;
  private Usage usage;
  private ServiceException failure;

  public ChunkWriter(String id, long created, String model, boolean includeUsage, boolean held, Consumer<Buffer> out) {
    this.id = id;
    this.created = created;
    this.model = model;
    this.includeUsage = includeUsage;
    this.text = held ? new StringBuilder() : null;
    this.out = out;
  }

  public void role() {
    if (!roleSent) {
      roleSent = true;
      emit(new JsonObject().put("role", "assistant").put("content", ""), null);
    }
  }

  public void content(String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    role();
    streamedChars += text.length();
    if (this.text != null) {
      this.text.append(text);
    }
    emit(new JsonObject().put("content", text), null);
  }

  public void toolCallStart(int index, String callId, String name, String arguments) {
    role();
    String args = arguments == null ? "" : arguments;
    streamedChars += name.length() + args.length();
    JsonObject call = new JsonObject().put("index", index).put("id", callId).put("type", "function")
      .put("function", new JsonObject().put("name", name).put("arguments", args));
    emit(new JsonObject().put("tool_calls", new JsonArray().add(call)), null);
  }

  public void toolCallArgs(int index, String fragment) {
    if (fragment == null || fragment.isEmpty()) {
      return;
    }
    streamedChars += fragment.length();
    JsonObject call = new JsonObject().put("index", index)
      .put("function", new JsonObject().put("arguments", fragment));
    emit(new JsonObject().put("tool_calls", new JsonArray().add(call)), null);
  }

  public void finish(String reason) {
    if (finishSent) {
      return;
    }
    role();
    finishSent = true;
    finishReason = reason == null ? "stop" : reason;
    emit(new JsonObject(), finishReason);
  }

  /** Keeps the latest usage the upstream reported (counts are cumulative where they repeat). */
  public void usage(Usage u) {
    if (u != null) {
      usage = u;
    }
  }

  /**
   * An OpenAI-format chunk from an OpenAI-compatible upstream, forwarded with the stream's own
   * id, created and model; usage is kept for billing and for the one usage chunk at the end, and
   * a usage-only chunk (no choices) is never forwarded.
   */
  public void passthrough(JsonObject chunk) {
    if (closed) {
      return;
    }
    Object u = chunk.getValue("usage");
    JsonArray choices = chunk.getJsonArray("choices");
    if (choices != null) {
      for (int i = 0; i < choices.size(); i++) {
        JsonObject c = choices.getJsonObject(i);
        JsonObject delta = c.getJsonObject("delta");
        boolean first = !(c.getValue("index") instanceof Number n) || n.intValue() == 0;
        if (delta != null) {
          countChars(delta);
          if (text != null && first && delta.getValue("content") instanceof String s) {
            text.append(s);
          }
          if (delta.containsKey("role")) {
            roleSent = true;
          }
        }
        if (c.getValue("finish_reason") != null) {
          finishSent = true;
          if (first) {
            finishReason = String.valueOf(c.getValue("finish_reason"));
          }
        }
      }
    }
    if (u instanceof JsonObject usageJson) {
      usage(Usage.fromOpenAi(usageJson));
      if (choices == null || choices.isEmpty()) {
        return;
      }
      chunk.putNull("usage");
    }
    // every chunk of a stream carries the same id, created and model (OpenAI's rule): ours, the
    // ones the gateway's own chunks (role, finish, usage) and the billing ledger use
    chunk.put("id", id).put("created", created).put("model", model);
    write("data: " + chunk.encode() + "\n\n");
  }

  private void countChars(JsonObject delta) {
    Object c = delta.getValue("content");
    if (c instanceof String s) {
      streamedChars += s.length();
    }
    Object calls = delta.getValue("tool_calls");
    if (calls instanceof JsonArray arr) {
      for (Object o : arr) {
        if (o instanceof JsonObject call && call.getValue("function") instanceof JsonObject f
          && f.getValue("arguments") instanceof String a) {
          streamedChars += a.length();
        }
      }
    }
  }

  /** The upstream failed after the stream began: remember why; {@link #close} reports it. */
  public void fail(ServiceException e) {
    if (failure == null) {
      failure = e;
    }
  }

  public ServiceException failure() {
    return failure;
  }

  /**
   * Ends the stream: a failure becomes a final {@code data: {"error":…}} event (the form the
   * OpenAI SDKs raise as an APIError); otherwise the finish reason if none came, the usage chunk
   * if asked for (the upstream's, else the estimate passed in), and {@code [DONE]}.
   */
  public void close(Usage finalUsage) {
    if (closed) {
      return;
    }
    closed = true;
    if (failure != null) {
      write("data: " + UpstreamError.streamEvent(failure).encode() + "\n\n");
      return;
    }
    finish("stop");
    if (includeUsage) {
      Usage u = finalUsage != null ? finalUsage : usage == null ? Usage.NONE : usage;
      write("data: " + usageChunk(id, created, model, u).encode() + "\n\n");
    }
    if (text == null) {
      out.accept(DONE);
    }
  }

  public boolean closed() {
    return closed;
  }

  public boolean finished() {
    return finishSent;
  }

  public long streamedChars() {
    return streamedChars;
  }

  public Usage reportedUsage() {
    return usage;
  }

  /**
   * What a held writer streamed, as the {@code chat.completion} a non-streamed call would have
   * answered (first choice's text, its finish reason or null when the stream did not finish, the
   * usage given); null for other writers.
   */
  public JsonObject answer(Usage finalUsage) {
    if (text == null) {
      return null;
    }
    JsonObject message = new JsonObject().put("role", "assistant").put("content", text.toString());
    return new JsonObject().put("id", id).put("object", "chat.completion").put("created", created).put("model", model)
      .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
        .put("finish_reason", finishReason)))
      .put("usage", finalUsage == null ? null : finalUsage.toJson());
  }

  private JsonObject base() {
    return base(id, created, model);
  }

  private static JsonObject base(String id, long created, String model) {
    return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
      .put("model", model);
  }

  /** The chunk that carries a stream's usage: no choices. */
  static JsonObject usageChunk(String id, long created, String model, Usage usage) {
    return base(id, created, model).put("choices", new JsonArray()).put("usage", usage.toJson());
  }

  private void emit(JsonObject delta, String finishReason) {
    if (closed) {
      return;
    }
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finishReason);
    JsonObject chunk = base().put("choices", new JsonArray().add(choice));
    if (includeUsage) {
      chunk.putNull("usage");
    }
    write("data: " + chunk.encode() + "\n\n");
  }

  private void write(String event) {
    out.accept(Buffer.buffer(event));
  }
}
