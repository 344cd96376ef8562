package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the messages and tools of a chat body and its {@code tool_choice}, in code rather than
 * through the schema validator, because validating long histories through the schema validator
 * costs milliseconds per request (docs/benchmarks.md, ChatValidationBench). The rules here are those of
 * {@code #/components/schemas/ChatMessage} (one schema per role), {@code ChatTool} and
 * {@code ChatToolChoice} in the contract, and tests run the same messages, tools and bodies through
 * both to keep them in step.
 */
public final class ChatRequestCheck {

  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
  static final Set<String> PART_TYPES = Set.of("text", "image_url", "input_audio", "file", "refusal");
  static final int MAX_NAME = 256;
  static final int MAX_TOOL_CALLS = 128;
  /** The fields each role's message schema allows. */
  private static final Map<String, Set<String>> FIELDS = Map.of(
    "system", Set.of("role", "content", "name"),
    "developer", Set.of("role", "content", "name"),
    "user", Set.of("role", "content", "name"),
    "function", Set.of("role", "content", "name"),
    "tool", Set.of("role", "content", "name", "tool_call_id"),
    "assistant", Set.of("role", "content", "name", "refusal", "tool_calls", "function_call", "audio"));

  private ChatRequestCheck() {
  }

  /** Throws a 400 naming the first bad field. */
  public static void check(JsonObject body) {
    JsonArray messages = body.getJsonArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      message(messages.getValue(i), "messages[" + i + "]");
    }
    Object tools = body.getValue("tools");
    if (tools instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        tool(list.getValue(i), "tools[" + i + "]");
      }
    }
    Object choice = body.getValue("tool_choice");
    if (choice instanceof String s && !Set.of("none", "auto", "required").contains(s)) {
      throw bad("tool_choice", "must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":…}}");
    }
    if (choice instanceof JsonObject named) {
      if (!"function".equals(named.getValue("type"))) {
        throw bad("tool_choice.type", "must be function");
      }
      if (!(named.getValue("function") instanceof JsonObject fn && fn.getValue("name") instanceof String name
        && !name.isEmpty() && name.length() <= 64)) {
        throw bad("tool_choice.function.name", "is required (a string of 1 to 64 characters)");
      }
    }
    Object options = body.getValue("stream_options");
    if (options != null && !Boolean.TRUE.equals(body.getValue("stream"))) {
      throw bad("stream_options", "is only allowed when stream is true");
    }
  }

  static void message(Object value, String at) {
    if (!(value instanceof JsonObject m)) {
      throw bad(at, "must be an object");
    }
    Object roleValue = m.getValue("role");
    if (!(roleValue instanceof String role) || !ROLES.contains(role)) {
      throw bad(at + ".role", "must be one of system, developer, user, assistant, tool, function");
    }
    Set<String> fields = FIELDS.get(role);
    for (String key : m.fieldNames()) {
      if (!fields.contains(key)) {
        throw bad(at + "." + key, key.equals("tool_calls")
          ? "is only allowed on assistant messages" : "is not a field of " + role + " messages");
      }
    }
    if (m.containsKey("name") && !(m.getValue("name") instanceof String n && !n.isEmpty() && n.length() <= MAX_NAME)) {
      throw bad(at + ".name", "must be a string of 1 to " + MAX_NAME + " characters");
    }
    Object content = m.getValue("content");
    if (role.equals("assistant")) {
      assistant(m, at);
    } else if (content == null) {
      throw bad(at + ".content", "is required");
    }
    if (role.equals("tool")
      && !(m.getValue("tool_call_id") instanceof String id && !id.isEmpty() && id.length() <= 4096)) {
      throw bad(at + ".tool_call_id", "is required on tool messages (a string of 1 to 4096 characters)");
    }
    if (content != null) {
      content(content, at + ".content", role);
    }
  }

  /** The rules of {@code #/components/schemas/ChatAssistantMessage} beyond its content. */
  private static void assistant(JsonObject m, String at) {
    Object calls = m.getValue("tool_calls");
    Object call = m.getValue("function_call");
    if (m.getValue("content") == null && calls == null && call == null) {
      throw bad(at + ".content", "is required unless the message has tool_calls");
    }
    if (m.containsKey("refusal") && m.getValue("refusal") != null && !(m.getValue("refusal") instanceof String)) {
      throw bad(at + ".refusal", "must be a string or null");
    }
    if (calls != null) {
      toolCalls(calls, at + ".tool_calls");
    }
    if (call != null) {
      function(call, at + ".function_call");
    }
    Object audio = m.getValue("audio");
    if (audio != null && !(audio instanceof JsonObject a && a.getValue("id") instanceof String)) {
      throw bad(at + ".audio", "must be an object with an id, or null");
    }
  }

  private static void content(Object content, String at, String role) {
    if (content instanceof String) {
      return;
    }
    if (!(content instanceof JsonArray parts)) {
      throw bad(at, "must be a string or an array of content parts");
    }
    if (parts.size() > 1000) {
      throw bad(at, "has more than 1000 parts");
    }
    for (int i = 0; i < parts.size(); i++) {
      String p = at + "[" + i + "]";
      if (!(parts.getValue(i) instanceof JsonObject part)) {
        throw bad(p, "must be an object");
      }
      Object type = part.getValue("type");
      if (!(type instanceof String t) || !PART_TYPES.contains(t)) {
        throw bad(p + ".type", "must be one of text, image_url, input_audio, file, refusal");
      }
      if (!t.equals("text") && !(role.equals("user") && !t.equals("refusal")
        || role.equals("assistant") && t.equals("refusal"))) {
        throw bad(p + ".type", "a " + t + " part is not allowed on " + role + " messages");
      }
      switch (t) {
        case "text" -> {
          if (!(part.getValue("text") instanceof String)) {
            throw bad(p + ".text", "must be a string");
          }
        }
        case "refusal" -> {
          if (!(part.getValue("refusal") instanceof String)) {
            throw bad(p + ".refusal", "must be a string");
          }
        }
        case "image_url" -> {
          if (!(part.getValue("image_url") instanceof JsonObject img) || !(img.getValue("url") instanceof String)
            || img.containsKey("detail") && !(img.getValue("detail") instanceof String)) {
            throw bad(p + ".image_url", "must be an object with a url (and a string detail)");
          }
        }
        case "input_audio" -> {
          if (!(part.getValue("input_audio") instanceof JsonObject audio) || !(audio.getValue("data") instanceof String)
            || !(audio.getValue("format") instanceof String)) {
            throw bad(p + ".input_audio", "must be an object with data and format strings");
          }
        }
        default -> {
          if (!(part.getValue("file") instanceof JsonObject file)) {
            throw bad(p + ".file", "must be an object");
          }
          for (String key : List.of("file_data", "file_id", "filename")) {
            if (file.containsKey(key) && !(file.getValue(key) instanceof String)) {
              throw bad(p + ".file." + key, "must be a string");
            }
          }
        }
      }
    }
  }

  private static void toolCalls(Object calls, String at) {
    if (!(calls instanceof JsonArray list) || list.size() > MAX_TOOL_CALLS) {
      throw bad(at, "must be an array of at most " + MAX_TOOL_CALLS + " tool calls");
    }
    for (int i = 0; i < list.size(); i++) {
      String c = at + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject call)) {
        throw bad(c, "must be an object");
      }
      if (!(call.getValue("id") instanceof String id) || id.isEmpty()) {
        throw bad(c + ".id", "must be a non-empty string");
      }
      if (call.containsKey("type") && !"function".equals(call.getValue("type"))) {
        throw bad(c + ".type", "must be function");
      }
      function(call.getValue("function"), c + ".function");
    }
  }

  /** The rules of {@code #/components/schemas/ChatFunctionCall}. */
  private static void function(Object value, String at) {
    if (!(value instanceof JsonObject fn) || !(fn.getValue("name") instanceof String)
      || !(fn.getValue("arguments") instanceof String)) {
      throw bad(at, "must be an object with a name and arguments (a JSON string)");
    }
  }

  /** The rules of {@code #/components/schemas/ChatTool}. */
  private static void tool(Object value, String at) {
    if (!(value instanceof JsonObject t) || !"function".equals(t.getValue("type"))) {
      throw bad(at + ".type", "must be function");
    }
    if (!(t.getValue("function") instanceof JsonObject fn) || !(fn.getValue("name") instanceof String name)
      || name.isEmpty() || name.length() > 64) {
      throw bad(at + ".function.name", "must be a string of 1 to 64 characters");
    }
    if (fn.containsKey("parameters") && !(fn.getValue("parameters") instanceof JsonObject)) {
      throw bad(at + ".function.parameters", "must be a JSON Schema object");
    }
    if (fn.containsKey("description") && !(fn.getValue("description") instanceof String)) {
      throw bad(at + ".function.description", "must be a string");
    }
    if (fn.getValue("strict") != null && !(fn.getValue("strict") instanceof Boolean)) {
      throw bad(at + ".function.strict", "must be a boolean or null");
    }
  }

  private static ServiceException bad(String param, String what) {
    return Errors.error(400, "invalid_request", "Invalid value for '" + param + "': " + what + ".", param);
  }
}
