package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.gateway.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The {@code response} object in OpenAI's shape: the request's settings echoed (with OpenAI's
 * defaults where the client set none), the output items, status and usage.
 */
final class ResponseObject {

  /** The codes OpenAI's schema allows in a response's {@code error}; other failures are {@code server_error}. */
  private static final Set<String> ERROR_CODES = Set.of("server_error", "rate_limit_exceeded", "invalid_prompt");

  private ResponseObject() {
  }

  /** A response of {@code request} with no output yet, status {@code in_progress}. */
  static JsonObject start(String id, long createdAt, ResponseInput.Request request) {
    JsonObject b = request.body();
    Object text = b.getValue("text");
    JsonObject response = new JsonObject()
      .put("id", id)
      .put("object", "response")
      .put("created_at", createdAt)
      .put("status", "in_progress")
      .putNull("error")
      .putNull("incomplete_details")
      .put("instructions", b.getValue("instructions"))
      .put("max_output_tokens", b.getValue("max_output_tokens"))
      .put("model", b.getString("model"))
      .put("output", new JsonArray())
      .put("parallel_tool_calls", b.getValue("parallel_tool_calls") instanceof Boolean p ? p : true)
      .put("previous_response_id", request.previousResponseId())
      .put("reasoning", new JsonObject().put("effort", b.getValue("reasoning") instanceof JsonObject r
        ? r.getValue("effort") : null).putNull("summary"))
      .put("store", request.store())
      .put("temperature", b.getValue("temperature") instanceof Number t ? t : 1)
      .put("text", text instanceof JsonObject t && t.getValue("format") != null ? t
        : new JsonObject().put("format", new JsonObject().put("type", "text")))
      .put("tool_choice", b.getValue("tool_choice") == null ? "auto" : b.getValue("tool_choice"))
      .put("tools", tools(b.getValue("tools")))
      .put("top_p", b.getValue("top_p") instanceof Number p ? p : 1)
      .put("truncation", "disabled")
      .put("metadata", request.metadata());
    // OpenAI's schema has no null for these two: absent until there is a value
    if (b.getValue("user") instanceof String user) {
      response.put("user", user);
    }
    return response;
  }

  /**
   * The function tools as the response echoes them, each with every field OpenAI's schema requires
   * ({@code strict} and {@code parameters} are null when the client did not set them).
   */
  private static JsonArray tools(Object requested) {
    JsonArray out = new JsonArray();
    if (requested instanceof JsonArray tools) {
      for (Object o : tools) {
        if (o instanceof JsonObject t) {
          out.add(new JsonObject().put("type", t.getValue("type")).put("name", t.getValue("name"))
            .put("description", t.getValue("description")).put("parameters", t.getValue("parameters"))
            .put("strict", t.getValue("strict")));
        }
      }
    }
    return out;
  }

  /** Sets the final status from the chat finish reason, the output and the usage. */
  static JsonObject finish(JsonObject response, JsonArray output, String finishReason, Usage usage) {
    response.put("output", output);
    JsonObject u = usage(usage);
    if (u != null) {
      response.put("usage", u);
    }
    if ("length".equals(finishReason)) {
      response.put("status", "incomplete")
        .put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    } else if ("content_filter".equals(finishReason)) {
      response.put("status", "incomplete")
        .put("incomplete_details", new JsonObject().put("reason", "content_filter"));
    } else {
      response.put("status", "completed");
    }
    return response;
  }

  /** A response that failed: our error code and message, whatever output came before. */
  static JsonObject fail(JsonObject response, JsonArray output, String code, String message, Usage usage) {
    response.put("status", "failed").put("output", output)
      .put("error", new JsonObject().put("code", errorCode(code)).put("message", message));
    JsonObject u = usage(usage);
    if (u != null) {
      response.put("usage", u);
    }
    return response;
  }

  /** The response's error code from OpenAI's list; the stream's {@code error} event carries the precise one. */
  static String errorCode(String code) {
    if (code != null && ERROR_CODES.contains(code)) {
      return code;
    }
    return code != null && code.contains("rate_limit") ? "rate_limit_exceeded" : "server_error";
  }

  static JsonObject usage(Usage u) {
    if (u == null) {
      return null;
    }
    return new JsonObject()
      .put("input_tokens", u.promptTokens())
      // the gateway's usage counts cache writes inside the input tokens, not apart from them
      .put("input_tokens_details", new JsonObject().put("cached_tokens", u.cachedTokens()).put("cache_write_tokens", 0))
      .put("output_tokens", u.completionTokens())
      .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
      .put("total_tokens", u.totalTokens());
  }

  /** The output items of a non-streamed {@code chat.completion}: its message, then its tool calls. */
  static JsonArray output(JsonObject completion) {
    JsonArray out = new JsonArray();
    JsonArray choices = completion.getJsonArray("choices", new JsonArray());
    if (choices.isEmpty()) {
      return out;
    }
    JsonObject message = choices.getJsonObject(0).getJsonObject("message", new JsonObject());
    Object content = message.getValue("content");
    String text = content instanceof String s ? s : content instanceof JsonArray ? partsText((JsonArray) content) : null;
    Object refusal = message.getValue("refusal");
    if ((text != null && !text.isEmpty()) || refusal instanceof String) {
      JsonArray parts = new JsonArray();
      if (text != null && !text.isEmpty()) {
        parts.add(outputText(text));
      }
      if (refusal instanceof String r) {
        parts.add(new JsonObject().put("type", "refusal").put("refusal", r));
      }
      out.add(message(ResponseInput.newId("msg_"), "completed", parts));
    }
    for (Object o : message.getJsonArray("tool_calls", new JsonArray())) {
      JsonObject call = (JsonObject) o;
      JsonObject fn = call.getJsonObject("function", new JsonObject());
      out.add(functionCall(ResponseInput.newId("fc_"), call.getString("id"), fn.getString("name"),
        fn.getValue("arguments") instanceof String a ? a : String.valueOf(fn.getValue("arguments")), "completed"));
    }
    return out;
  }

  static String finishReason(JsonObject completion) {
    JsonArray choices = completion.getJsonArray("choices", new JsonArray());
    return choices.isEmpty() ? null : choices.getJsonObject(0).getString("finish_reason");
  }

  private static String partsText(JsonArray parts) {
    StringBuilder sb = new StringBuilder();
    for (Object o : parts) {
      if (o instanceof JsonObject p && p.getValue("text") instanceof String t) {
        sb.append(t);
      }
    }
    return sb.toString();
  }

  static JsonObject message(String id, String status, JsonArray content) {
    return new JsonObject().put("type", "message").put("id", id).put("status", status).put("role", "assistant")
      .put("content", content);
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray())
      .put("logprobs", new JsonArray());
  }

  static JsonObject functionCall(String id, String callId, String name, String arguments, String status) {
    return new JsonObject().put("type", "function_call").put("id", id).put("call_id", callId).put("name", name)
      .put("arguments", arguments).put("status", status);
  }
}
