package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.gateway.ChunkTap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the gateway's {@code chat.completion.chunk} stream of one call into the Responses API's
 * stream, in OpenAI's event names and order, each event with its {@code sequence_number}:
 * {@code response.created}, {@code response.in_progress}; per message item
 * {@code response.output_item.added}; per content part (text, then refusal, in the order they
 * begin) {@code response.content_part.added}, {@code response.output_text.delta}… or
 * {@code response.refusal.delta}…, and at the item's end {@code response.output_text.done} or
 * {@code response.refusal.done} and {@code response.content_part.done}; then
 * {@code response.output_item.done}; per function call
 * {@code response.output_item.added}, {@code response.function_call_arguments.delta}…,
 * {@code response.function_call_arguments.done}, {@code response.output_item.done}; then, written
 * by the owner once the response is stored, {@code response.completed} (or
 * {@code response.incomplete}, or {@code error} and {@code response.failed}). Every event is
 * {@code event: <type>} plus one {@code data:} line and a blank line.
 */
final class ResponseEvents implements ChunkTap {

  /** One output item being streamed. */
  private static final class Item {
    final String id;
    final int index;
    final boolean message;
    final StringBuilder text = new StringBuilder();
    final StringBuilder refusal = new StringBuilder();
    /** Content indexes of a message's text and refusal parts, -1 until the part begins. */
    int textPart = -1;
    int refusalPart = -1;
    String callId;
    String name;
    boolean open = true;

    Item(String id, int index, boolean message) {
      this.id = id;
      this.index = index;
      this.message = message;
    }

    JsonObject json(String status) {
      if (message) {
        JsonArray parts = new JsonArray();
        for (int i = 0; i < 2; i++) {
          if (i == textPart) {
            parts.add(ResponseObject.outputText(text.toString()));
          } else if (i == refusalPart) {
            parts.add(refusalPart(refusal.toString()));
          }
        }
        return ResponseObject.message(id, status, parts);
      }
      return ResponseObject.functionCall(id, callId, name, text.toString(), status);
    }
  }

  private final HttpServerResponse res;
  private final JsonObject response;
  private final List<Item> items = new ArrayList<>();
  private final Map<Integer, Item> calls = new HashMap<>();
  private Item message;
  private long sequence;
  private boolean begun;
  private String finishReason;
  private JsonObject error;

  ResponseEvents(HttpServerResponse res, JsonObject response) {
    this.res = res;
    this.response = response;
  }

  @Override
  public void event(Buffer chatEvent) {
    String s = chatEvent.toString();
    if (!s.startsWith("data: ")) {
      return;
    }
    String data = s.substring(6).trim();
    if (data.equals("[DONE]")) {
      return;
    }
    begin();
    JsonObject chunk = new JsonObject(data);
    if (chunk.getValue("error") instanceof JsonObject e) {
      error = e;
      return;
    }
    JsonArray choices = chunk.getJsonArray("choices");
    if (choices == null || choices.isEmpty()) {
      return;
    }
    JsonObject choice = choices.getJsonObject(0);
    if (choice.getValue("index") instanceof Number n && n.intValue() != 0) {
      return;
    }
    JsonObject delta = choice.getJsonObject("delta", new JsonObject());
    if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
      text(text);
    }
    if (delta.getValue("refusal") instanceof String refusal && !refusal.isEmpty()) {
      refusal(refusal);
    }
    if (delta.getValue("tool_calls") instanceof JsonArray list) {
      for (Object o : list) {
        if (o instanceof JsonObject call) {
          toolCall(call);
        }
      }
    }
    if (choice.getValue("finish_reason") instanceof String reason) {
      finishReason = reason;
    }
  }

  /** Emits created and in_progress once, before anything else. */
  void begin() {
    if (begun) {
      return;
    }
    begun = true;
    emit("response.created", new JsonObject().put("response", response.copy()));
    emit("response.in_progress", new JsonObject().put("response", response.copy()));
  }

  String finishReason() {
    return finishReason;
  }

  /** The error event the stream ended with, if any: {message, type, code, param}. */
  JsonObject error() {
    return error;
  }

  /** Closes every open item (their done events) and answers the output items in order. */
  JsonArray closeItems() {
    begin();
    closeMessage();
    for (Item item : items) {
      if (!item.message && item.open) {
        closeCall(item);
      }
    }
    JsonArray out = new JsonArray();
    for (Item item : items) {
      out.add(item.json("completed"));
    }
    return out;
  }

  /** The terminal events for the final response (stored by then when it is stored at all). */
  void last(JsonObject finalResponse) {
    String status = finalResponse.getString("status");
    if ("failed".equals(status)) {
      JsonObject e = finalResponse.getJsonObject("error", new JsonObject());
      emit("error", new JsonObject().put("code", e.getValue("code")).put("message", e.getValue("message"))
        .putNull("param"));
      emit("response.failed", new JsonObject().put("response", finalResponse));
    } else if ("incomplete".equals(status)) {
      emit("response.incomplete", new JsonObject().put("response", finalResponse));
    } else {
      emit("response.completed", new JsonObject().put("response", finalResponse));
    }
  }

  private void text(String text) {
    openMessage();
    if (message.textPart < 0) {
      message.textPart = partAdded(ResponseObject.outputText(""));
    }
    message.text.append(text);
    emit("response.output_text.delta", new JsonObject().put("item_id", message.id).put("output_index", message.index)
      .put("content_index", message.textPart).put("delta", text).put("logprobs", new JsonArray()));
  }

  private void refusal(String refusal) {
    openMessage();
    if (message.refusalPart < 0) {
      message.refusalPart = partAdded(refusalPart(""));
    }
    message.refusal.append(refusal);
    emit("response.refusal.delta", new JsonObject().put("item_id", message.id).put("output_index", message.index)
      .put("content_index", message.refusalPart).put("delta", refusal));
  }

  /** Announces the open message's next content part and answers its index. */
  private int partAdded(JsonObject part) {
    int index = (message.textPart < 0 ? 0 : 1) + (message.refusalPart < 0 ? 0 : 1);
    emit("response.content_part.added", new JsonObject().put("item_id", message.id)
      .put("output_index", message.index).put("content_index", index).put("part", part));
    return index;
  }

  private static JsonObject refusalPart(String refusal) {
    return new JsonObject().put("type", "refusal").put("refusal", refusal);
  }

  private void openMessage() {
    if (message != null) {
      return;
    }
    message = new Item(ResponseInput.newId("msg_"), items.size(), true);
    items.add(message);
    emit("response.output_item.added", new JsonObject().put("output_index", message.index)
      .put("item", ResponseObject.message(message.id, "in_progress", new JsonArray())));
  }

  private void closeMessage() {
    if (message == null || !message.open) {
      return;
    }
    message.open = false;
    for (int i = 0; i < 2; i++) {
      if (i == message.textPart) {
        String text = message.text.toString();
        emit("response.output_text.done", new JsonObject().put("item_id", message.id)
          .put("output_index", message.index).put("content_index", i).put("text", text).put("logprobs", new JsonArray()));
        emit("response.content_part.done", new JsonObject().put("item_id", message.id)
          .put("output_index", message.index).put("content_index", i).put("part", ResponseObject.outputText(text)));
      } else if (i == message.refusalPart) {
        String refusal = message.refusal.toString();
        emit("response.refusal.done", new JsonObject().put("item_id", message.id)
          .put("output_index", message.index).put("content_index", i).put("refusal", refusal));
        emit("response.content_part.done", new JsonObject().put("item_id", message.id)
          .put("output_index", message.index).put("content_index", i).put("part", refusalPart(refusal)));
      }
    }
    emit("response.output_item.done", new JsonObject().put("output_index", message.index)
      .put("item", message.json("completed")));
  }

  private void toolCall(JsonObject call) {
    int index = call.getValue("index") instanceof Number n ? n.intValue() : 0;
    JsonObject fn = call.getJsonObject("function", new JsonObject());
    Item item = calls.get(index);
    if (item == null) {
      closeMessage();
      for (Item other : calls.values()) {
        if (other.open) {
          closeCall(other);
        }
      }
      item = new Item(ResponseInput.newId("fc_"), items.size(), false);
      item.callId = call.getValue("id") instanceof String id ? id : ResponseInput.newId("call_");
      item.name = fn.getValue("name") instanceof String name ? name : "";
      items.add(item);
      calls.put(index, item);
      emit("response.output_item.added", new JsonObject().put("output_index", item.index)
        .put("item", ResponseObject.functionCall(item.id, item.callId, item.name, "", "in_progress")));
    }
    if (fn.getValue("arguments") instanceof String fragment && !fragment.isEmpty()) {
      item.text.append(fragment);
      emit("response.function_call_arguments.delta", new JsonObject().put("item_id", item.id)
        .put("output_index", item.index).put("delta", fragment));
    }
  }

  private void closeCall(Item item) {
    item.open = false;
    emit("response.function_call_arguments.done", new JsonObject().put("item_id", item.id)
      .put("output_index", item.index).put("name", item.name).put("arguments", item.text.toString()));
    emit("response.output_item.done", new JsonObject().put("output_index", item.index)
      .put("item", item.json("completed")));
  }

  private void emit(String type, JsonObject event) {
    JsonObject data = new JsonObject().put("type", type).put("sequence_number", sequence++);
    data.mergeIn(event);
    if (!res.closed() && !res.ended()) {
      res.write("event: " + type + "\ndata: " + data.encode() + "\n\n");
    }
  }
}
