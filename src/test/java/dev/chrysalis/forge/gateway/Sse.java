package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Contract;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads an SSE body the way the OpenAI SDK does: events end at a blank line, data is JSON or [DONE]. */
final class Sse {

  final List<String> data = new ArrayList<>();

  Sse(String body) {
    for (String event : body.split("\n\n")) {
      StringBuilder d = null;
      for (String line : event.split("\n")) {
        if (line.startsWith("data: ")) {
          d = d == null ? new StringBuilder(line.substring(6)) : d.append('\n').append(line.substring(6));
        }
      }
      if (d != null) {
        data.add(d.toString());
      }
    }
  }

  /** A streamed chat answer, every event's data checked against the contract's event schema. */
  static Sse chat(String body) {
    return checked(body, "createChatCompletion");
  }

  /** A streamed Responses answer, every event's data checked against the contract's event schema. */
  static Sse responses(String body) {
    return checked(body, "createResponse");
  }

  static Sse checked(String body, String operationId) {
    Sse sse = new Sse(body);
    Validator schema = Contract.eventStream(operationId);
    for (String d : sse.data) {
      if (!d.equals("[DONE]")) {
        OutputUnit result = schema.validate(new JsonObject(d));
        assertThat(result.getValid()).as("the contract's " + operationId + " event schema accepts " + d + ": "
          + result.getErrors()).isTrue();
      }
    }
    return sse;
  }

  List<JsonObject> chunks() {
    return data.stream().filter(d -> !d.equals("[DONE]")).map(JsonObject::new).toList();
  }

  boolean endsWithDone() {
    return !data.isEmpty() && data.get(data.size() - 1).equals("[DONE]");
  }

  String text() {
    StringBuilder sb = new StringBuilder();
    for (JsonObject c : chunks()) {
      JsonArray choices = c.getJsonArray("choices");
      if (choices != null && !choices.isEmpty()) {
        String s = choices.getJsonObject(0).getJsonObject("delta", new JsonObject()).getString("content");
        if (s != null) {
          sb.append(s);
        }
      }
    }
    return sb.toString();
  }

  /** Tool-call arguments joined per index, as an SDK accumulates them. */
  String toolArguments(int index) {
    StringBuilder sb = new StringBuilder();
    for (JsonObject c : chunks()) {
      JsonArray choices = c.getJsonArray("choices");
      if (choices == null || choices.isEmpty()) {
        continue;
      }
      JsonArray calls = choices.getJsonObject(0).getJsonObject("delta", new JsonObject()).getJsonArray("tool_calls");
      if (calls != null) {
        for (Object o : calls) {
          JsonObject call = (JsonObject) o;
          if (call.getInteger("index") == index) {
            sb.append(call.getJsonObject("function", new JsonObject()).getString("arguments", ""));
          }
        }
      }
    }
    return sb.toString();
  }

  JsonObject firstToolCall() {
    for (JsonObject c : chunks()) {
      JsonArray choices = c.getJsonArray("choices");
      if (choices != null && !choices.isEmpty()) {
        JsonArray calls = choices.getJsonObject(0).getJsonObject("delta", new JsonObject()).getJsonArray("tool_calls");
        if (calls != null) {
          return calls.getJsonObject(0);
        }
      }
    }
    return null;
  }

  List<String> finishReasons() {
    List<String> out = new ArrayList<>();
    for (JsonObject c : chunks()) {
      JsonArray choices = c.getJsonArray("choices");
      if (choices != null && !choices.isEmpty() && choices.getJsonObject(0).getValue("finish_reason") != null) {
        out.add(choices.getJsonObject(0).getString("finish_reason"));
      }
    }
    return out;
  }

  List<JsonObject> usageChunks() {
    return chunks().stream().filter(c -> c.getValue("usage") instanceof JsonObject).toList();
  }

  JsonObject last() {
    List<JsonObject> all = chunks();
    return all.get(all.size() - 1);
  }
}
