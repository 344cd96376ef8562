package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A Responses API request read into what the gateway's chat call takes. The rules: every field
 * is either served (mapped onto the chat body, or kept for the stored response) or refused with
 * 400 {@code unsupported_parameter} naming it; nothing is dropped silently. Fields a client sends
 * with their "off" value ({@code background: false}, {@code include: []}, {@code truncation:
 * "disabled"}, null) ask for nothing and are accepted.
 *
 * <p>Input items are kept in the shape the API shows them (each with an id), and become chat
 * messages: message items by role, {@code function_call} items the assistant's tool calls,
 * {@code function_call_output} items tool messages.
 */
final class ResponseInput {

  /** Fields served as such. */
  private static final Set<String> SERVED = Set.of("model", "input", "instructions", "tools", "tool_choice",
    "parallel_tool_calls", "max_output_tokens", "temperature", "top_p", "text", "metadata", "user", "store", "stream",
    "previous_response_id", "stream_options", "reasoning", "service_tier", "safety_identifier", "prompt_cache_key",
    "include", "truncation", "background", "conversation", "org_id");
  /** Chat fields a Responses field maps onto unchanged (the chat path decides per provider). */
  private static final Set<String> SAME_IN_CHAT = Set.of("temperature", "top_p", "user", "parallel_tool_calls",
    "service_tier", "safety_identifier", "prompt_cache_key");
  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  static final int MAX_METADATA = 16;

  private ResponseInput() {
  }

  /** What one request asks for. */
  record Request(JsonObject body, boolean stream, boolean store, String previousResponseId, JsonArray inputItems,
                 JsonObject metadata) {

    String model() {
      return body.getString("model");
    }
  }

  static Request read(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!SERVED.contains(field) && body.getValue(field) != null) {
        throw unsupported(field, "'" + field + "' is not supported by this service's Responses API.");
      }
    }
    off(body, "background", Boolean.FALSE, "Background responses are not supported here.");
    off(body, "conversation", null, "Conversation objects are not supported here; use previous_response_id.");
    off(body, "truncation", "disabled", "Only truncation 'disabled' is supported here.");
    if (body.getValue("include") instanceof JsonArray include && !include.isEmpty()) {
      throw unsupported("include", "'include' values are not supported here.");
    }
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw bad("model", "is required");
    }
    Object store = body.getValue("store");
    Object stream = body.getValue("stream");
    if (body.getValue("stream_options") != null && !Boolean.TRUE.equals(stream)) {
      throw bad("stream_options", "is only allowed when stream is true");
    }
    JsonObject metadata = metadata(body.getValue("metadata"));
    JsonArray items = items(body.getValue("input"));
    Object previous = body.getValue("previous_response_id");
    return new Request(body, Boolean.TRUE.equals(stream), !Boolean.FALSE.equals(store),
      previous instanceof String s ? s : null, items, metadata);
  }

  /**
   * The chat body for a request whose earlier conversation (the items of the previous responses,
   * oldest first; empty without previous_response_id) is {@code history}.
   */
  static JsonObject chatBody(Request r, JsonArray history) {
    JsonObject b = r.body();
    JsonObject chat = new JsonObject().put("model", b.getString("model"));
    JsonArray messages = new JsonArray();
    if (b.getValue("instructions") instanceof String instructions && !instructions.isEmpty()) {
      messages.add(new JsonObject().put("role", "system").put("content", instructions));
    }
    messages(history, messages);
    messages(r.inputItems(), messages);
    chat.put("messages", messages);
    for (String field : SAME_IN_CHAT) {
      if (b.getValue(field) != null) {
        chat.put(field, b.getValue(field));
      }
    }
    if (b.getValue("max_output_tokens") != null) {
      chat.put("max_completion_tokens", b.getValue("max_output_tokens"));
    }
    if (b.getValue("org_id") != null) {
      chat.put("org_id", b.getValue("org_id"));
    }
    tools(b.getValue("tools"), chat);
    toolChoice(b.getValue("tool_choice"), chat);
    text(b.getValue("text"), chat);
    reasoning(b.getValue("reasoning"), chat);
    if (r.stream()) {
      chat.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    return chat;
  }

  private static void off(JsonObject body, String field, Object offValue, String message) {
    Object v = body.getValue(field);
    if (v != null && !v.equals(offValue)) {
      throw unsupported(field, message);
    }
  }

  private static JsonObject metadata(Object value) {
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject m) || m.size() > MAX_METADATA) {
      throw bad("metadata", "must be an object of at most " + MAX_METADATA + " string values");
    }
    for (Map.Entry<String, Object> e : m) {
      if (e.getKey().length() > 64 || !(e.getValue() instanceof String s) || s.length() > 512) {
        throw bad("metadata." + e.getKey(), "keys are at most 64 characters and values strings of at most 512");
      }
    }
    return m;
  }

  // ---------------- input items ----------------

  /** The request's input as items in the API's shape, each with an id. */
  static JsonArray items(Object input) {
    JsonArray out = new JsonArray();
    if (input instanceof String text) {
      out.add(message("user", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", text))));
      return out;
    }
    if (!(input instanceof JsonArray list)) {
      throw bad("input", "must be a string or an array of input items");
    }
    for (int i = 0; i < list.size(); i++) {
      String at = "input[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject item)) {
        throw bad(at, "must be an object");
      }
      Object type = item.getValue("type");
      if (type == null || "message".equals(type)) {
        out.add(messageItem(item, at));
      } else if ("function_call".equals(type)) {
        String callId = text(item, "call_id", at);
        String name = text(item, "name", at);
        if (!(item.getValue("arguments") instanceof String args)) {
          throw bad(at + ".arguments", "must be a JSON string");
        }
        out.add(new JsonObject().put("type", "function_call").put("id", id(item, "fc_")).put("call_id", callId)
          .put("name", name).put("arguments", args).put("status", "completed"));
      } else if ("function_call_output".equals(type)) {
        String callId = text(item, "call_id", at);
        Object output = item.getValue("output");
        String text;
        if (output instanceof String s) {
          text = s;
        } else if (output instanceof JsonArray parts) {
          text = partsText(parts, at + ".output");
        } else {
          throw bad(at + ".output", "must be a string or an array of input_text parts");
        }
        out.add(new JsonObject().put("type", "function_call_output").put("id", id(item, "fco_")).put("call_id", callId)
          .put("output", text).put("status", "completed"));
      } else {
        throw unsupported(at + ".type", "Input items of type '" + type + "' are not supported here.");
      }
    }
    return out;
  }

  private static JsonObject messageItem(JsonObject item, String at) {
    Object role = item.getValue("role");
    if (!(role instanceof String r) || !ROLES.contains(r)) {
      throw bad(at + ".role", "must be one of user, assistant, system, developer");
    }
    Object content = item.getValue("content");
    JsonArray parts = new JsonArray();
    String textType = r.equals("assistant") ? "output_text" : "input_text";
    if (content instanceof String s) {
      parts.add(textPart(textType, s));
    } else if (content instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        String p = at + ".content[" + i + "]";
        if (!(list.getValue(i) instanceof JsonObject part) || !(part.getValue("type") instanceof String t)) {
          throw bad(p, "must be a content part with a type");
        }
        switch (t) {
          case "input_text", "output_text", "text" -> {
            if (!(part.getValue("text") instanceof String s)) {
              throw bad(p + ".text", "must be a string");
            }
            parts.add(textPart(textType, s));
          }
          case "refusal" -> {
            if (!r.equals("assistant") || !(part.getValue("refusal") instanceof String s)) {
              throw bad(p, "refusal parts are assistant parts with a refusal string");
            }
            parts.add(new JsonObject().put("type", "refusal").put("refusal", s));
          }
          case "input_image" -> {
            if (!r.equals("user")) {
              throw bad(p + ".type", "images are only allowed in user messages");
            }
            if (!(part.getValue("image_url") instanceof String url) || url.isEmpty()) {
              throw unsupported(p + ".image_url", "Images are taken by image_url (an https or data URL); file_id is not supported here.");
            }
            parts.add(new JsonObject().put("type", "input_image").put("image_url", url)
              .put("detail", part.getValue("detail") instanceof String d ? d : "auto"));
          }
          default -> throw unsupported(p + ".type", "Content parts of type '" + t + "' are not supported here.");
        }
      }
    } else {
      throw bad(at + ".content", "must be a string or an array of content parts");
    }
    JsonObject m = message(r, parts);
    if (item.getValue("id") instanceof String given && !given.isBlank()) {
      m.put("id", given);
    }
    return m;
  }

  private static JsonObject message(String role, JsonArray parts) {
    return new JsonObject().put("type", "message").put("id", newId("msg_")).put("role", role).put("status", "completed")
      .put("content", parts);
  }

  private static JsonObject textPart(String type, String text) {
    JsonObject p = new JsonObject().put("type", type).put("text", text);
    return type.equals("output_text") ? p.put("annotations", new JsonArray()) : p;
  }

  private static String partsText(JsonArray parts, String at) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      if (!(parts.getValue(i) instanceof JsonObject p) || !"input_text".equals(p.getValue("type"))
        || !(p.getValue("text") instanceof String t)) {
        throw unsupported(at + "[" + i + "]", "Tool output parts other than input_text are not supported here.");
      }
      sb.append(t);
    }
    return sb.toString();
  }

  private static String text(JsonObject item, String field, String at) {
    if (!(item.getValue(field) instanceof String s) || s.isEmpty()) {
      throw bad(at + "." + field, "must be a non-empty string");
    }
    return s;
  }

  private static String id(JsonObject item, String prefix) {
    return item.getValue("id") instanceof String s && !s.isBlank() ? s : newId(prefix);
  }

  static String newId(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "");
  }

  /** Items (stored or new) as chat messages, appended to {@code out}. */
  static void messages(JsonArray items, JsonArray out) {
    for (Object o : items) {
      JsonObject item = (JsonObject) o;
      switch (item.getString("type", "message")) {
        case "function_call" -> {
          JsonObject call = new JsonObject().put("id", item.getString("call_id")).put("type", "function")
            .put("function", new JsonObject().put("name", item.getString("name"))
              .put("arguments", item.getString("arguments")));
          JsonObject last = out.isEmpty() ? null : out.getJsonObject(out.size() - 1);
          if (last != null && "assistant".equals(last.getString("role"))) {
            JsonArray calls = last.getJsonArray("tool_calls");
            if (calls == null) {
              last.put("tool_calls", calls = new JsonArray());
            }
            calls.add(call);
          } else {
            out.add(new JsonObject().put("role", "assistant").putNull("content")
              .put("tool_calls", new JsonArray().add(call)));
          }
        }
        case "function_call_output" -> out.add(new JsonObject().put("role", "tool")
          .put("tool_call_id", item.getString("call_id")).put("content", item.getString("output")));
        default -> out.add(chatMessage(item));
      }
    }
  }

  private static JsonObject chatMessage(JsonObject item) {
    String role = item.getString("role");
    JsonArray parts = item.getJsonArray("content", new JsonArray());
    boolean image = false;
    StringBuilder text = new StringBuilder();
    String refusal = null;
    for (Object o : parts) {
      JsonObject p = (JsonObject) o;
      switch (p.getString("type")) {
        case "input_image" -> image = true;
        case "refusal" -> refusal = p.getString("refusal");
        default -> text.append(p.getString("text", ""));
      }
    }
    JsonObject m = new JsonObject().put("role", role);
    if (image) {
      JsonArray chatParts = new JsonArray();
      for (Object o : parts) {
        JsonObject p = (JsonObject) o;
        if ("input_image".equals(p.getString("type"))) {
          chatParts.add(new JsonObject().put("type", "image_url").put("image_url",
            new JsonObject().put("url", p.getString("image_url")).put("detail", p.getString("detail", "auto"))));
        } else {
          chatParts.add(new JsonObject().put("type", "text").put("text", p.getString("text", "")));
        }
      }
      return m.put("content", chatParts);
    }
    if (refusal != null && text.length() == 0) {
      return m.put("content", refusal);
    }
    return m.put("content", text.toString());
  }

  // ---------------- tools, tool_choice, text, reasoning ----------------

  private static void tools(Object value, JsonObject chat) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonArray list)) {
      throw bad("tools", "must be an array of tools");
    }
    JsonArray tools = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      String at = "tools[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject t) || !(t.getValue("type") instanceof String type)) {
        throw bad(at + ".type", "is required");
      }
      if (!type.equals("function")) {
        throw unsupported(at + ".type", "Built-in tools such as '" + type
          + "' are not supported here; only function tools are.");
      }
      if (!(t.getValue("name") instanceof String name) || name.isEmpty() || name.length() > 64) {
        throw bad(at + ".name", "must be a string of 1 to 64 characters");
      }
      JsonObject fn = new JsonObject().put("name", name);
      Object description = t.getValue("description");
      if (description != null && !(description instanceof String)) {
        throw bad(at + ".description", "must be a string");
      }
      if (description != null) {
        fn.put("description", description);
      }
      Object params = t.getValue("parameters");
      if (params != null && !(params instanceof JsonObject)) {
        throw bad(at + ".parameters", "must be a JSON Schema object");
      }
      if (params != null) {
        fn.put("parameters", params);
      }
      Object strict = t.getValue("strict");
      if (strict != null && !(strict instanceof Boolean)) {
        throw bad(at + ".strict", "must be true or false");
      }
      if (strict != null) {
        fn.put("strict", strict);
      }
      tools.add(new JsonObject().put("type", "function").put("function", fn));
    }
    if (!tools.isEmpty()) {
      chat.put("tools", tools);
    }
  }

  private static void toolChoice(Object value, JsonObject chat) {
    if (value == null) {
      return;
    }
    if (value instanceof String s) {
      if (!Set.of("none", "auto", "required").contains(s)) {
        throw bad("tool_choice", "must be none, auto, required or {\"type\":\"function\",\"name\":…}");
      }
      if (chat.containsKey("tools")) {
        chat.put("tool_choice", s);
      }
      return;
    }
    if (!(value instanceof JsonObject o) || !(o.getValue("type") instanceof String type)) {
      throw bad("tool_choice", "must be none, auto, required or {\"type\":\"function\",\"name\":…}");
    }
    if (!type.equals("function")) {
      throw unsupported("tool_choice.type", "tool_choice of type '" + type + "' is not supported here.");
    }
    if (!(o.getValue("name") instanceof String name) || name.isEmpty()) {
      throw bad("tool_choice.name", "is required");
    }
    chat.put("tool_choice", new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name)));
  }

  private static void text(Object value, JsonObject chat) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonObject t)) {
      throw bad("text", "must be an object");
    }
    for (String key : t.fieldNames()) {
      if (!key.equals("format") && !key.equals("verbosity")) {
        throw unsupported("text." + key, "'text." + key + "' is not supported here.");
      }
    }
    if (t.getValue("verbosity") != null) {
      chat.put("verbosity", t.getValue("verbosity"));
    }
    Object f = t.getValue("format");
    if (f == null) {
      return;
    }
    if (!(f instanceof JsonObject format) || !(format.getValue("type") instanceof String type)) {
      throw bad("text.format.type", "is required");
    }
    switch (type) {
      case "text" -> { }
      case "json_object" -> chat.put("response_format", new JsonObject().put("type", "json_object"));
      case "json_schema" -> {
        if (!(format.getValue("name") instanceof String name) || name.isEmpty()) {
          throw bad("text.format.name", "is required");
        }
        if (!(format.getValue("schema") instanceof JsonObject schema)) {
          throw bad("text.format.schema", "must be a JSON Schema object");
        }
        JsonObject js = new JsonObject().put("name", name).put("schema", schema);
        if (format.getValue("strict") instanceof Boolean strict) {
          js.put("strict", strict);
        }
        if (format.getValue("description") instanceof String d) {
          js.put("description", d);
        }
        chat.put("response_format", new JsonObject().put("type", "json_schema").put("json_schema", js));
      }
      default -> throw bad("text.format.type", "must be text, json_object or json_schema");
    }
  }

  private static void reasoning(Object value, JsonObject chat) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonObject r)) {
      throw bad("reasoning", "must be an object");
    }
    for (String key : r.fieldNames()) {
      if (r.getValue(key) == null) {
        continue;
      }
      if (!key.equals("effort")) {
        throw unsupported("reasoning." + key, "'reasoning." + key + "' is not supported here.");
      }
    }
    if (r.getValue("effort") != null) {
      chat.put("reasoning_effort", r.getValue("effort"));
    }
  }

  static ServiceException bad(String param, String what) {
    return Errors.error(400, "invalid_request", "Invalid value for '" + param + "': " + what + ".", param);
  }

  static ServiceException unsupported(String param, String message) {
    return Errors.error(400, "unsupported_parameter", message, param);
  }
}
