package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.gateway.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The {@code response} object in OpenAI's shape: the request's settings echoed (with OpenAI's
 * defaults where the client set none), the output items, status and usage.
 */
final class ResponseObject {

  private ResponseObject() {
  }

  /** A response of {@code request} with no output yet, status {@code in_progress}. */
  static JsonObject start(String id, long createdAt, ResponseInput.Request request) {
    JsonObject b = request.body();
    Object text = b.getValue("text");
    return new JsonObject()
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
      .put("tools", b.getValue("tools") instanceof JsonArray tools ? tools : new JsonArray())
      .put("top_p", b.getValue("top_p") instanceof Number p ? p : 1)
      .put("truncation", "disabled")
      .putNull("usage")
      .put("user", b.getValue("user"))
      .put("metadata", request.metadata());
  }

  /** Sets the final status from the chat finish reason, the output and the usage. */
  static JsonObject finish(JsonObject response, JsonArray output, String finishReason, Usage usage) {
    response.put("output", output).put("usage", usage(usage));
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
    return response.put("status", "failed").put("output", output).put("usage", usage(usage))
      .put("error", new JsonObject().put("code", code == null ? "server_error" : code).put("message", message));
  }

  static JsonObject usage(Usage u) {
    if (u == null) {
      return null;
    }
    return new JsonObject()
      .put("input_tokens", u.promptTokens())
      .put("input_tokens_details", new JsonObject().put("cached_tokens", u.cachedTokens()))
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
