package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.workspace.WorkspaceService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat inside a thread: the thread's active session (created when there is none), a prompt made
 * of the thread summary, the chosen context node (title, body, path) and the session history,
 * one model call through the same gated, billed path as {@code /v1/chat/completions}, and both
 * messages stored with their tokens and cost. The prompt holds only what fits the token budget
 * ({@code gateway.thread_max_tokens}, and three quarters of the model's context window): the
 * latest messages of the session whose sizes fit what the summary, the context node and the new
 * message leave, and the database reads no other message. When a session passes the message or
 * token limit it is rotated after the answer went out: one message claims the rotation, the model
 * summarizes what it was sent (the summary cut to what the thread can store), the summary becomes
 * the thread's, the session is archived, and the next message opens a new one. A rotation that
 * fails is recorded and not tried again before its backoff ({@code thread_rotation_retry_ms},
 * doubled per failure), so a failing summary is not repeated on every message.
 *
 * <p>Streamed, the answer goes out as {@code chat.completion.chunk} events while the model writes
 * it; once it ended the messages are stored, and only then the last chunk (no choices; usage,
 * {@code thread_id}, {@code session_id}) and {@code [DONE]} are sent, so a client that saw
 * {@code [DONE]} can send its next message and find this one in the history. A stream that ended
 * early (client gone, upstream broke) stores what was streamed, the text that was billed; when
 * nothing was streamed nothing is stored, as when the call fails before answering.
 */
public final class ThreadChat {

  private static final Logger LOG = LoggerFactory.getLogger(ThreadChat.class);
  private static final int HISTORY = 1000;
  /** Bytes of text counted per token when sizing a prompt: low, so the estimate errs towards fewer tokens. */
  static final int BYTES_PER_TOKEN = 3;
  /** The most a thread summary may hold (the thread's summary column takes this many characters). */
  static final int MAX_SUMMARY_CHARS = 20_000;
  /** What the summary call may write: a summary this long fits {@link #MAX_SUMMARY_CHARS} in most languages. */
  static final int SUMMARY_MAX_TOKENS = 4_000;

  private final ChatGateway gateway;
  private final WorkspaceService workspace;
  private final GatewayConfig config;

  public ThreadChat(ChatGateway gateway, WorkspaceService workspace, GatewayConfig config) {
    this.gateway = gateway;
    this.workspace = workspace;
    this.config = config;
  }

  /**
   * The session a message goes to, the chat body built for it, the session's totals before this
   * message ({@code message_count}, {@code tokens_in}, {@code tokens_out}), and where its model
   * routes (routed once per message: the prompt's budget and the call both use it).
   */
  private record Turn(String sessionId, JsonObject body, JsonObject sessionUsage, ModelRoute route) {
  }

  /** request {content, mode?, context_node_id?, model?} → {thread_id, session_id, message, usage}. */
  public Future<JsonObject> send(ChatGateway.Caller caller, String threadId, JsonObject request) {
    return turn(caller, threadId, request).compose(turn ->
      gateway.chat(turn.body(), turn.route(), caller.inSession(turn.sessionId()), null, false).compose(outcome -> {
        if (outcome.unanswered() != null) {
          return Future.failedFuture(outcome.unanswered());
        }
        return store(caller, threadId, turn, request, outcome);
      }));
  }

  /**
   * The same turn streamed to {@code response} (see the class comment). Fails only when nothing
   * was written yet (the caller answers with the error then, in our JSON shape); the session's
   * ids also go out as {@code x-thread-id} / {@code x-session-id} headers.
   */
  public Future<Void> stream(ChatGateway.Caller caller, String threadId, JsonObject request,
                             HttpServerResponse response) {
    return turn(caller, threadId, request).compose(turn -> {
      turn.body().put("stream", true);
      response.putHeader("x-thread-id", threadId).putHeader("x-session-id", turn.sessionId());
      return gateway.chat(turn.body(), turn.route(), caller.inSession(turn.sessionId()), response, true).compose(outcome -> {
        if (outcome.unanswered() != null) {
          return Future.failedFuture(outcome.unanswered());
        }
        JsonObject answer = outcome.completion();
        boolean complete = outcome.succeeded() && !outcome.clientCancelled();
        if (answer == null || (!complete && text(answer).isEmpty())) {
          end(response, null);
          return Future.<Void>succeededFuture();
        }
        return store(caller, threadId, turn, request, outcome)
          .onSuccess(stored -> end(response, complete ? lastChunk(answer, outcome.usage(), stored) : null))
          .onFailure(t -> {
            LOG.warn("streamed answer of request {} not stored: {}", caller.requestId(), t.getMessage());
            ServiceException e = t instanceof ServiceException se ? se
              : Errors.error(500, "internal_error", "The answer could not be stored.", null);
            end(response, "data: " + UpstreamError.streamEvent(e).encode() + "\n\n");
          })
          .<Void>mapEmpty()
          .otherwiseEmpty();
      });
    });
  }

  /** After the answer's chunks: the usage and the ids the answer was stored under, then [DONE]. */
  private static String lastChunk(JsonObject answer, Usage usage, JsonObject stored) {
    JsonObject chunk = ChunkWriter.usageChunk(answer.getString("id"), answer.getLong("created"), answer.getString("model"),
        usage)
      .put("thread_id", stored.getString("thread_id")).put("session_id", stored.getString("session_id"));
    return "data: " + chunk.encode() + "\n\ndata: [DONE]\n\n";
  }

  private static void end(HttpServerResponse response, String last) {
    if (response.closed() || response.ended()) {
      return;
    }
    if (last == null) {
      response.end();
    } else {
      response.end(last);
    }
  }

  private static String text(JsonObject completion) {
    String content = completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    return content == null ? "" : content;
  }

  /** The thread's active session (created when there is none) and the prompt of this message. */
  private Future<Turn> turn(ChatGateway.Caller caller, String threadId, JsonObject request) {
    JsonObject options = new JsonObject();
    if (request.getString("mode") != null) {
      options.put("mode", request.getString("mode"));
    }
    // a model the catalog cannot place is refused before a session is opened for the turn
    ModelRoute route;
    try {
      route = gateway.router().route(request.getString("model"));
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    // the thread and the context node are checked before the active session is looked up, since
    // that creates one when there is none: a refused message opens nothing
    return workspace.threadChatContext(caller.userId(), threadId, request.getString("context_node_id")).compose(ctx -> {
      JsonObject thread = ctx.getJsonObject("thread");
      String system = system(thread, ctx.getJsonObject("focus"));
      long fixed = utf8(system) + utf8(request.getString("content"));
      long historyBytes = Math.max(0, tokenBudget(route) * BYTES_PER_TOKEN - fixed);
      return workspace.activeThreadSession(caller.userId(), threadId, options).compose(session -> {
        String sessionId = session.getString("id");
        return workspace.sessionWindow(caller.userId(), sessionId,
            new JsonObject().put("max_messages", HISTORY).put("max_bytes", historyBytes))
          .map(window -> {
            JsonArray past = window.getJsonArray("messages", new JsonArray());
            JsonObject body = new JsonObject().put("messages", prompt(system, past, request));
            if (request.getString("model") != null) {
              body.put("model", request.getString("model"));
            }
            return new Turn(sessionId, body, window.getJsonObject("usage", new JsonObject()), route);
          });
      });
    });
  }

  /** The tokens a thread message may send: the setting, and at most three quarters of the model's window. */
  long tokenBudget(ModelRoute route) {
    long budget = config.threadMaxTokens();
    long window = route.model().entry() == null ? 0 : route.model().entry().contextWindow();
    return window > 0 ? Math.min(budget, window * 3 / 4) : budget;
  }

  private static long utf8(String s) {
    return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  /**
   * Stores both messages, the answer with the cost billing recorded for the call (the ledger's
   * figure, so the thread and the usage report agree). Only when billing could not confirm the
   * record is the catalog's price of the same usage stored instead, so the thread never shows a
   * billed answer as free.
   */
  private Future<JsonObject> store(ChatGateway.Caller caller, String threadId, Turn turn, JsonObject request,
                                   CallOutcome outcome) {
    JsonObject completion = outcome.completion();
    String answer = text(completion);
    String model = completion.getString("model");
    Usage usage = outcome.usage();
    String sessionId = turn.sessionId();
    JsonObject body = turn.body();
    JsonObject sessionUsage = turn.sessionUsage();
    Future<BigDecimal> cost = outcome.cost() == null ? Future.failedFuture("not billed") : outcome.cost();
    return cost.recover(t -> Future.succeededFuture(turn.route().model().cost(usage.promptTokens(), usage.completionTokens())))
      .compose(price -> {
        JsonArray messages = new JsonArray()
          .add(new JsonObject().put("role", "user").put("content", request.getString("content"))
            .put("tokens_in", usage.promptTokens()).put("model", model))
          .add(new JsonObject().put("role", "assistant").put("content", answer)
            .put("tokens_out", usage.completionTokens()).put("cost_usd", price.doubleValue()).put("model", model));
        return workspace.appendMessages(caller.userId(), sessionId, messages).map(stored -> {
          if (needsRotation(sessionUsage, usage)) {
            rotate(caller, sessionId, body, answer);
          }
          return new JsonObject()
            .put("thread_id", threadId)
            .put("session_id", sessionId)
            .put("message", new JsonObject().put("role", "assistant").put("content", answer).put("model", model))
            .put("usage", usage.toJson());
        });
      });
  }

  private boolean needsRotation(JsonObject sessionUsage, Usage usage) {
    long tokens = usage.totalTokens() + sessionUsage.getLong("tokens_in", 0L) + sessionUsage.getLong("tokens_out", 0L);
    return sessionUsage.getLong("message_count", 0L) + 2 >= config.threadMaxMessages() || tokens >= config.threadMaxTokens();
  }

  /**
   * Summarizes what the model was sent this turn (plus its answer) and archives the session with
   * that summary as the thread's. Only the message that claims the rotation runs it; a failure is
   * recorded, so the next attempt waits for its backoff instead of coming with the next message.
   */
  private void rotate(ChatGateway.Caller caller, String sessionId, JsonObject body, String answer) {
    workspace.claimRotation(caller.userId(), sessionId).compose(claim -> {
      if (!claim.getBoolean("claimed", false)) {
        return Future.succeededFuture();
      }
      return summarize(caller, sessionId, body, answer)
        .compose(summary -> workspace.archiveSession(caller.userId(), sessionId, new JsonObject().put("summary", summary)))
        .<Void>mapEmpty()
        .recover(t -> {
          LOG.warn("session {} not rotated: {}", sessionId, t.getMessage());
          return workspace.rotationFailed(caller.userId(), sessionId,
              new JsonObject().put("retry_base_ms", config.threadRotationRetryMs()))
            .onSuccess(r -> LOG.info("rotation of session {} tried again after {}", sessionId, r.getString("not_before")))
            .mapEmpty();
        });
    }).onFailure(t -> LOG.warn("rotation of session {} not recorded: {}", sessionId, t.getMessage()));
  }

  private Future<String> summarize(ChatGateway.Caller caller, String sessionId, JsonObject body, String answer) {
    JsonArray conversation = new JsonArray().add(new JsonObject().put("role", "system").put("content",
      "Summarize the conversation below for whoever continues it: the goal, decisions taken, facts "
        + "established and open questions. Be concise; plain text, at most " + (MAX_SUMMARY_CHARS / 2) + " characters."));
    StringBuilder transcript = new StringBuilder();
    for (Object o : body.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      transcript.append(m.getString("role")).append(": ").append(m.getString("content")).append("\n\n");
    }
    transcript.append("assistant: ").append(answer);
    conversation.add(new JsonObject().put("role", "user").put("content", transcript.toString()));
    JsonObject summaryBody = new JsonObject().put("messages", conversation).put("max_tokens", SUMMARY_MAX_TOKENS);
    if (body.getString("model") != null) {
      summaryBody.put("model", body.getString("model"));
    }
    ChatGateway.Caller internal = caller.inSession(sessionId);
    return gateway.chat(summaryBody, internal, null, false, false).compose(outcome -> {
      if (outcome.unanswered() != null) {
        return Future.failedFuture(outcome.unanswered());
      }
      String summary = outcome.completion().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content", "");
      return Future.succeededFuture(bounded(summary));
    });
  }

  /** The summary cut to what the thread stores, on a character boundary (never half a surrogate pair). */
  static String bounded(String summary) {
    if (summary.length() <= MAX_SUMMARY_CHARS) {
      return summary;
    }
    int end = MAX_SUMMARY_CHARS - 1;
    if (Character.isHighSurrogate(summary.charAt(end - 1))) {
      end--;
    }
    return summary.substring(0, end) + "…";
  }

  /** The system prompt: the thread's title and summary, and the context node in focus. */
  static String system(JsonObject thread, JsonObject focus) {
    StringBuilder system = new StringBuilder("You are the Chrysalis Forge assistant, working in the thread \"")
      .append(thread.getString("title", "untitled")).append("\".");
    String summary = thread.getString("summary");
    if (summary != null && !summary.isBlank()) {
      system.append("\n\nSummary of the thread so far:\n").append(summary);
    }
    if (focus != null) {
      List<String> path = new ArrayList<>();
      focus.getJsonArray("path", new JsonArray()).forEach(t -> path.add(String.valueOf(t)));
      system.append("\n\nFocus on this context (").append(String.join(" / ", path)).append("):\n")
        .append(focus.getString("title"));
      if (focus.getString("body") != null) {
        system.append("\n").append(focus.getString("body"));
      }
    }
    return system.toString();
  }

  /** System prompt, the session so far, then the new message. */
  static JsonArray prompt(String system, JsonArray past, JsonObject request) {
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "system").put("content", system));
    for (Object o : past) {
      JsonObject m = (JsonObject) o;
      String role = m.getString("role");
      if ("user".equals(role) || "assistant".equals(role)) {
        messages.add(new JsonObject().put("role", role).put("content", m.getString("content", "")));
      }
    }
    return messages.add(new JsonObject().put("role", "user").put("content", request.getString("content")));
  }
}
