package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Small readers of OpenAI message parts shared by the translating adapters. */
final class OpenAiMessages {

  private OpenAiMessages() {
  }

  /** The text of a content value: a string, or the text parts of an array joined. */
  static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder sb = new StringBuilder();
      for (Object p : parts) {
        if (p instanceof JsonObject part && part.getValue("text") instanceof String t) {
          if (sb.length() > 0) {
            sb.append('\n');
          }
          sb.append(t);
        }
      }
      return sb.toString();
    }
    return "";
  }

  /** Tool-call arguments (a JSON string) as an object; 400 when they are not a JSON object. */
  static JsonObject arguments(JsonObject toolCall, int messageIndex) {
    JsonObject fn = toolCall.getJsonObject("function", new JsonObject());
    Object raw = fn.getValue("arguments");
    if (raw == null || (raw instanceof String s && s.isBlank())) {
      return new JsonObject();
    }
    if (raw instanceof JsonObject o) {
      return o;
    }
    try {
      return new JsonObject(String.valueOf(raw));
    } catch (DecodeException | ClassCastException e) {
      throw Errors.error(400, "invalid_tool_arguments",
        "The arguments of a tool call must be a JSON object encoded as a string.",
        "messages[" + messageIndex + "].tool_calls");
    }
  }

  static String role(JsonObject message) {
    return message.getString("role", "user");
  }

  static double clamp(double v, double min, double max) {
    return Math.max(min, Math.min(max, v));
  }

  static JsonArray stopList(Object stop) {
    if (stop instanceof String s) {
      return new JsonArray().add(s);
    }
    if (stop instanceof JsonArray a) {
      return a;
    }
    return null;
  }

  static void noMultipleChoices(ChatCall call, String providerName) {
    if (call.n() > 1) {
      throw Errors.error(400, "unsupported_parameter", providerName + " models do not support n > 1.", "n");
    }
  }

  /** A data: URL split into media type and base64 data, or null if it is not one. */
  static String[] dataUrl(String url) {
    if (url == null || !url.startsWith("data:")) {
      return null;
    }
    int comma = url.indexOf(',');
    int semi = url.indexOf(";base64");
    if (comma < 0 || semi < 0 || semi > comma) {
      return null;
    }
    return new String[]{url.substring(5, semi), url.substring(comma + 1)};
  }

  /** An assistant message as OpenAI's schema requires it: {@code refusal} always present (null when none). */
  static JsonObject message(String content, JsonArray toolCalls) {
    JsonObject m = new JsonObject().put("role", "assistant")
      .put("content", toolCalls != null && content.isEmpty() ? null : content)
      .putNull("refusal");
    if (toolCalls != null) {
      m.put("tool_calls", toolCalls);
    }
    return m;
  }

  static JsonObject completion(ChatCall call, JsonObject message, String finishReason, Usage usage) {
    return new JsonObject()
      .put("id", call.completionId())
      .put("object", "chat.completion")
      .put("created", call.created())
      .put("model", call.clientModel())
      .put("choices", new JsonArray().add(new JsonObject()
        .put("index", 0)
        .put("message", message)
        .putNull("logprobs")
        .put("finish_reason", finishReason)))
      .put("usage", usage.toJson());
  }
}
