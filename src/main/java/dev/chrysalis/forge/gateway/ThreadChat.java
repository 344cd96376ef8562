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

import java.util.ArrayList;
import java.util.List;

/**
 * Chat inside a thread: the thread's active session (created when there is none), a prompt made
 * of the thread summary, the chosen context node (title, body, path) and the session history,
 * one model call through the same gated, billed path as {@code /v1/chat/completions}, and both
 * messages stored with their tokens and cost. When a session passes the message or token limit
 * it is rotated after the answer went out: the model summarizes it, the summary becomes the
 * thread's, the session is archived, and the next message opens a new one.
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

  private final ChatGateway gateway;
  private final WorkspaceService workspace;
  private final GatewayConfig config;

  public ThreadChat(ChatGateway gateway, WorkspaceService workspace, GatewayConfig config) {
    this.gateway = gateway;
    this.workspace = workspace;
    this.config = config;
  }

  /** The session a message goes to, the chat body built for it, and the history it was built from. */
  private record Turn(String sessionId, JsonObject body, JsonArray past) {
  }

  /** request {content, mode?, context_node_id?, model?} → {thread_id, session_id, message, usage}. */
  public Future<JsonObject> send(ChatGateway.Caller caller, String threadId, JsonObject request) {
    return turn(caller, threadId, request).compose(turn ->
      gateway.chat(turn.body(), caller.inSession(turn.sessionId()), null).compose(outcome -> {
        if (outcome.unanswered() != null) {
          return Future.failedFuture(outcome.unanswered());
        }
        return store(caller, threadId, turn.sessionId(), request, turn.body(), turn.past(), outcome);
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
      return gateway.chat(turn.body(), caller.inSession(turn.sessionId()), response, true).compose(outcome -> {
        if (outcome.unanswered() != null) {
          return Future.failedFuture(outcome.unanswered());
        }
        JsonObject answer = outcome.completion();
        boolean complete = outcome.succeeded() && !outcome.clientCancelled();
        if (answer == null || (!complete && text(answer).isEmpty())) {
          end(response, null);
          return Future.<Void>succeededFuture();
        }
        return store(caller, threadId, turn.sessionId(), request, turn.body(), turn.past(), outcome)
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
    if (request.getString("model") != null) {
      // a model the catalog cannot place is refused before a session is opened for the turn
      try {
        gateway.router().route(request.getString("model"));
      } catch (ServiceException e) {
        return Future.failedFuture(e);
      }
    }
    // the thread and the context node are checked before the active session is looked up, since
    // that creates one when there is none: a refused message opens nothing
    return workspace.getThread(caller.userId(), new JsonObject().put("thread_id", threadId)).compose(thread -> {
      try {
        prompt(thread, new JsonArray(), request);
      } catch (ServiceException e) {
        return Future.failedFuture(e);
      }
      return workspace.activeThreadSession(caller.userId(), threadId, options).compose(session -> {
        String sessionId = session.getString("id");
        return workspace.sessionHistory(caller.userId(), sessionId, HISTORY).map(history -> {
          JsonArray past = history.getJsonArray("messages", new JsonArray());
          JsonObject body = new JsonObject().put("messages", prompt(thread, past, request));
          if (request.getString("model") != null) {
            body.put("model", request.getString("model"));
          }
          return new Turn(sessionId, body, past);
        });
      });
    });
  }

  private Future<JsonObject> store(ChatGateway.Caller caller, String threadId, String sessionId, JsonObject request,
                                   JsonObject body, JsonArray past, CallOutcome outcome) {
    JsonObject completion = outcome.completion();
    String answer = text(completion);
    String model = completion.getString("model");
    Usage usage = outcome.usage();
    ModelRoute route = gateway.router().route(body.getString("model"));
    JsonArray messages = new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", request.getString("content"))
        .put("tokens_in", usage.promptTokens()).put("model", model))
      .add(new JsonObject().put("role", "assistant").put("content", answer)
        .put("tokens_out", usage.completionTokens()).put("cost_usd", route.model().cost(usage.promptTokens(), usage.completionTokens()).doubleValue()).put("model", model));
    return workspace.appendMessages(caller.userId(), sessionId, messages).map(stored -> {
      if (needsRotation(past, usage)) {
        rotate(caller, sessionId, body, answer);
      }
      return new JsonObject()
        .put("thread_id", threadId)
        .put("session_id", sessionId)
        .put("message", new JsonObject().put("role", "assistant").put("content", answer).put("model", model))
        .put("usage", usage.toJson());
    });
  }

  private boolean needsRotation(JsonArray past, Usage usage) {
    long tokens = usage.totalTokens();
    for (Object o : past) {
      JsonObject m = (JsonObject) o;
      tokens += m.getLong("tokens_in", 0L) + m.getLong("tokens_out", 0L);
    }
    return past.size() + 2 >= config.threadMaxMessages() || tokens >= config.threadMaxTokens();
  }

  /** Summarizes the whole session with the model, stores it on the thread and archives the session. */
  private void rotate(ChatGateway.Caller caller, String sessionId, JsonObject body, String answer) {
    JsonArray conversation = new JsonArray().add(new JsonObject().put("role", "system").put("content",
      "Summarize the conversation below for whoever continues it: the goal, decisions taken, facts "
        + "established and open questions. Be concise; plain text."));
    StringBuilder transcript = new StringBuilder();
    for (Object o : body.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      transcript.append(m.getString("role")).append(": ").append(m.getString("content")).append("\n\n");
    }
    transcript.append("assistant: ").append(answer);
    conversation.add(new JsonObject().put("role", "user").put("content", transcript.toString()));
    JsonObject summaryBody = new JsonObject().put("messages", conversation);
    if (body.getString("model") != null) {
      summaryBody.put("model", body.getString("model"));
    }
    ChatGateway.Caller internal = new ChatGateway.Caller(caller.userId(), caller.orgId(), caller.requestId(), sessionId);
    gateway.chat(summaryBody, internal, null, false, false).compose(outcome -> {
      if (outcome.unanswered() != null) {
        return Future.failedFuture(outcome.unanswered());
      }
      String summary = outcome.completion().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content", "");
      return workspace.archiveSession(caller.userId(), sessionId, new JsonObject().put("summary", summary));
    }).onFailure(t -> LOG.warn("session {} not rotated (tried again after the next message): {}", sessionId,
      t.getMessage()));
  }

  /** System prompt (summary, context node), the session so far, then the new message. */
  static JsonArray prompt(JsonObject thread, JsonArray past, JsonObject request) {
    StringBuilder system = new StringBuilder("You are the Chrysalis Forge assistant, working in the thread \"")
      .append(thread.getString("title", "untitled")).append("\".");
    String summary = thread.getString("summary");
    if (summary != null && !summary.isBlank()) {
      system.append("\n\nSummary of the thread so far:\n").append(summary);
    }
    String nodeId = request.getString("context_node_id");
    if (nodeId != null) {
      List<JsonObject> path = new ArrayList<>();
      if (!find(thread.getJsonArray("contexts", new JsonArray()), nodeId, path)) {
        throw Errors.error(404, "context_not_found", "No context node " + nodeId + " in this thread.", "context_node_id");
      }
      JsonObject node = path.get(path.size() - 1);
      system.append("\n\nFocus on this context (").append(String.join(" / ", path.stream()
        .map(n -> n.getString("title")).toList())).append("):\n").append(node.getString("title"));
      if (node.getString("body") != null) {
        system.append("\n").append(node.getString("body"));
      }
    }
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "system").put("content", system.toString()));
    for (Object o : past) {
      JsonObject m = (JsonObject) o;
      String role = m.getString("role");
      if ("user".equals(role) || "assistant".equals(role)) {
        messages.add(new JsonObject().put("role", role).put("content", m.getString("content", "")));
      }
    }
    return messages.add(new JsonObject().put("role", "user").put("content", request.getString("content")));
  }

  private static boolean find(JsonArray nodes, String id, List<JsonObject> path) {
    for (Object o : nodes) {
      JsonObject n = (JsonObject) o;
      path.add(n);
      if (id.equals(n.getString("id")) || find(n.getJsonArray("children", new JsonArray()), id, path)) {
        return true;
      }
      path.remove(path.size() - 1);
    }
    return false;
  }
}
