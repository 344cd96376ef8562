package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.Set;

/**
 * Checks the parts of a chat body the router validates only shallowly. The contract validates
 * the top-level fields; each message is just {@code type: object} there, because validating long
 * histories through the schema validator costs milliseconds per request (DESIGN.md). The rules
 * here are those of {@code #/components/schemas/ChatMessage} in the contract, and a test runs
 * the same messages through both to keep them in step.
 */
public final class ChatRequestCheck {

  static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
  static final Set<String> PART_TYPES = Set.of("text", "image_url", "input_audio", "file", "refusal");
  static final int MAX_NAME = 256;
  static final int MAX_TOOL_CALLS = 128;

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
    if (choice instanceof JsonObject named && !(named.getValue("function") instanceof JsonObject fn
      && fn.getValue("name") instanceof String)) {
      throw bad("tool_choice.function.name", "is required");
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
      throw bad(at + ".role", "must be one of system, developer, user, assistant, tool");
    }
    for (String key : m.fieldNames()) {
      if (!Set.of("role", "content", "name", "tool_calls", "tool_call_id", "refusal", "function_call", "audio")
        .contains(key)) {
        throw bad(at + "." + key, "is not a message field");
      }
    }
    Object name = m.getValue("name");
    if (name != null && (!(name instanceof String n) || n.isEmpty() || n.length() > MAX_NAME)) {
      throw bad(at + ".name", "must be a string of 1 to " + MAX_NAME + " characters");
    }
    Object content = m.getValue("content");
    Object calls = m.getValue("tool_calls");
    switch (role) {
      case "assistant" -> {
        if (content == null && calls == null && m.getValue("function_call") == null) {
          throw bad(at + ".content", "is required unless the message has tool_calls");
        }
        if (calls != null) {
          toolCalls(calls, at + ".tool_calls");
        }
      }
      case "tool" -> {
        if (!(m.getValue("tool_call_id") instanceof String id) || id.isEmpty() || id.length() > 4096) {
          throw bad(at + ".tool_call_id", "is required on tool messages");
        }
        if (content == null) {
          throw bad(at + ".content", "is required");
        }
      }
      default -> {
        if (content == null) {
          throw bad(at + ".content", "is required");
        }
        if (calls != null) {
          throw bad(at + ".tool_calls", "is only allowed on assistant messages");
        }
      }
    }
    if (content != null) {
      content(content, at + ".content", role);
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
          if (!(part.getValue("image_url") instanceof JsonObject img) || !(img.getValue("url") instanceof String)) {
            throw bad(p + ".image_url", "must be an object with a url");
          }
        }
        default -> {
          if (!(part.getValue(t) instanceof JsonObject)) {
            throw bad(p + "." + t, "must be an object");
          }
        }
      }
      if (!t.equals("text") && !(role.equals("user") || (role.equals("assistant") && t.equals("refusal")))) {
        throw bad(p + ".type", "only text parts are allowed on " + role + " messages");
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
      if (call.getValue("type") != null && !"function".equals(call.getValue("type"))) {
        throw bad(c + ".type", "must be function");
      }
      if (!(call.getValue("function") instanceof JsonObject fn) || !(fn.getValue("name") instanceof String)
        || !(fn.getValue("arguments") instanceof String)) {
        throw bad(c + ".function", "must be an object with a name and arguments (a JSON string)");
      }
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
    Object params = fn.getValue("parameters");
    if (params != null && !(params instanceof JsonObject)) {
      throw bad(at + ".function.parameters", "must be a JSON Schema object");
    }
  }

  private static ServiceException bad(String param, String what) {
    return Errors.error(400, "invalid_request", "Invalid value for '" + param + "': " + what + ".", param);
  }
}
