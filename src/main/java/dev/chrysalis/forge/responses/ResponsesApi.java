package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.gateway.CallOutcome;
import dev.chrysalis.forge.gateway.ChatGateway;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/responses} on top of the gateway's chat call: the request is read into a chat
 * body (with the stored conversation of {@code previous_response_id} in front), sent through
 * {@link ChatGateway} exactly as a chat completion is (body checks, model routing, billing
 * admission, concurrent-call cap, vault key, upstream call with retries, usage record), and the
 * answer is shown in the Responses shape, non-streamed or as Responses stream events. With
 * {@code store} (the default) the response is saved before its final event is written, so a
 * client that reads it back right after sees it.
 */
public final class ResponsesApi {

  private static final Logger LOG = LoggerFactory.getLogger(ResponsesApi.class);

  private final ChatGateway gateway;
  private final ResponseService responses;

  public ResponsesApi(ChatGateway gateway, ResponseService responses) {
    this.gateway = gateway;
    this.responses = responses;
  }

  public ResponseService service() {
    return responses;
  }

  /**
   * Serves one create. The future fails with a {@link ServiceException} only when nothing was
   * written yet, for the caller to answer in the error shape.
   */
  public Future<Void> create(JsonObject body, ChatGateway.Caller caller, HttpServerResponse res) {
    ResponseInput.Request request;
    try {
      if (body.encode().contains("\\u0000")) {
        throw ResponseInput.bad("input", "text must not contain NUL characters");
      }
      request = ResponseInput.read(body);
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    Future<JsonArray> history = request.previousResponseId() == null ? Future.succeededFuture(new JsonArray())
      : responses.context(new JsonObject().put("user_id", caller.userId()).put("id", request.previousResponseId()))
        .map(c -> c.getJsonArray("items"));
    return history.compose(items -> {
      JsonObject chat;
      try {
        chat = ResponseInput.chatBody(request, items);
      } catch (ServiceException e) {
        return Future.failedFuture(e);
      }
      JsonObject response = ResponseObject.start(ResponseInput.newId("resp_"), System.currentTimeMillis() / 1000,
        request);
      return request.stream() ? stream(request, chat, response, caller, res) : once(request, chat, response, caller, res);
    });
  }

  private Future<Void> once(ResponseInput.Request request, JsonObject chat, JsonObject response,
                            ChatGateway.Caller caller, HttpServerResponse res) {
    return gateway.chat(chat, caller, null, null).compose(outcome -> {
      if (outcome.unanswered() != null) {
        return Future.failedFuture(inResponsesTerms(outcome.unanswered()));
      }
      JsonObject completion = outcome.completion() == null ? new JsonObject() : outcome.completion();
      JsonObject done = ResponseObject.finish(response, ResponseObject.output(completion),
        ResponseObject.finishReason(completion), outcome.usage());
      return store(request, caller, done).map(v -> {
        if (!res.closed() && !res.ended()) {
          res.setStatusCode(200).putHeader("content-type", "application/json").end(done.toBuffer());
        }
        return null;
      });
    });
  }

  private Future<Void> stream(ResponseInput.Request request, JsonObject chat, JsonObject response,
                              ChatGateway.Caller caller, HttpServerResponse res) {
    ResponseEvents events = new ResponseEvents(res, response.copy());
    return gateway.chat(chat, caller, res, events).compose(outcome -> {
      if (outcome.unanswered() != null) {
        return Future.failedFuture(inResponsesTerms(outcome.unanswered()));
      }
      JsonArray output = events.closeItems();
      JsonObject done = outcome.succeeded() && events.error() == null
        ? ResponseObject.finish(response, output, events.finishReason(), outcome.usage())
        : failed(response, output, outcome, events.error());
      return store(request, caller, done).map(v -> {
        events.last(done);
        if (!res.closed() && !res.ended()) {
          res.end();
        }
        return null;
      });
    });
  }

  /** A refusal that names a field of the chat body names the Responses field the client sent instead. */
  private static ServiceException inResponsesTerms(ServiceException e) {
    JsonObject info = e.getDebugInfo();
    if (info == null || !"max_completion_tokens".equals(info.getValue("param"))) {
      return e;
    }
    return new ServiceException(e.failureCode(), e.getMessage().replace("max_completion_tokens", "max_output_tokens"),
      info.copy().put("param", "max_output_tokens"));
  }

  private static JsonObject failed(JsonObject response, JsonArray output, CallOutcome outcome, JsonObject error) {
    String code = error != null && error.getValue("code") instanceof String c ? c : outcome.errorCode();
    String message = error != null && error.getValue("message") instanceof String m ? m
      : "The answer ended before it was complete.";
    return ResponseObject.fail(response, output, code, message, outcome.usage());
  }

  /** Saves a stored response; a failure to save is logged and the answer still goes out (it was billed). */
  private Future<Void> store(ResponseInput.Request request, ChatGateway.Caller caller, JsonObject done) {
    if (!request.store()) {
      return Future.succeededFuture();
    }
    return responses.save(new JsonObject().put("user_id", caller.userId()).put("org_id", caller.orgId())
        .put("response", done).put("input_items", request.inputItems()))
      .<Void>mapEmpty()
      .recover(t -> {
        LOG.error("response {} (request {}) not stored: {}", done.getString("id"), caller.requestId(),
          t instanceof ServiceException se ? se.getMessage() : t.getClass().getSimpleName());
        return Future.succeededFuture();
      });
  }
}
