package dev.chrysalis.forge.gateway;

import com.fasterxml.jackson.core.JsonParser;
import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.serviceproxy.ServiceException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Set;

/**
 * The body check of {@code POST /v1/chat/completions}, in place of the contract's schema
 * validator: the rules of {@code #/components/schemas/ChatCompletionRequest} for the top-level
 * fields, in code (the messages and tools are then checked by {@link ChatRequestCheck}, which
 * every chat caller goes through). The schema validator walks the whole body for every call;
 * this reads each top-level field once. {@code ChatBodyCheckTest} feeds the same bodies to the
 * contract's schema and to this check and requires them to agree.
 *
 * <p>The body is parsed with duplicate keys refused: the gateway may forward the client's bytes
 * as they came ({@link OpenAiCompatibleAdapter}), so what was checked, routed and billed must be
 * exactly what the upstream reads, and parsers disagree on which of two equal keys wins.
 */
public final class ChatBodyCheck {

  private static final Set<String> RESPONSE_FORMATS = Set.of("text", "json_object", "json_schema");

  private ChatBodyCheck() {
  }

  /** Parses and checks the raw body; throws a 400 in our shape naming the first bad field. */
  public static JsonObject parse(Buffer raw) {
    if (raw == null || raw.length() == 0) {
      throw Errors.error(400, "missing_parameter", "The request body is required.", null);
    }
    JsonObject body = strict(raw);
    check(body);
    return body;
  }

  /** The JSON object in {@code raw}, with a repeated key refused at any depth. */
  static JsonObject strict(Buffer raw) {
    JsonParser parser = JacksonCodec.createParser(raw);
    parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    Object value;
    try {
      value = JacksonCodec.fromParser(parser, Object.class);
    } catch (DecodeException e) {
      if (e.getMessage() != null && e.getMessage().contains("Duplicate field")) {
        throw Errors.error(400, "invalid_json", "The request body repeats a key within one object; "
          + "each key may appear once.", null);
      }
      throw Errors.error(400, "invalid_json", "The request body is not valid JSON.", null);
    }
    if (!(value instanceof JsonObject body)) {
      throw Errors.error(400, "invalid_request", "Invalid request: the body must be a JSON object.", null);
    }
    return body;
  }

  /** The top-level rules of ChatCompletionRequest. */
  static void check(JsonObject body) {
    Object model = body.getValue("model");
    if (model != null) {
      if (!(model instanceof String s) || s.isEmpty() || codePoints(s) > 256) {
        throw bad("model", "must be a string of 1 to 256 characters");
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          throw bad("model", "must not contain control characters");
        }
      }
    }
    Object messages = body.getValue("messages");
    if (messages == null) {
      throw bad("messages", "is required");
    }
    if (!(messages instanceof JsonArray list) || list.isEmpty() || list.size() > 10_000) {
      throw bad("messages", "must be an array of 1 to 10000 messages");
    }
    Object tools = body.getValue("tools");
    if (tools != null && (!(tools instanceof JsonArray t) || t.size() > 128)) {
      throw bad("tools", "must be an array of at most 128 tools");
    }
    Object choice = body.getValue("tool_choice");
    if (choice != null && !(choice instanceof String) && !(choice instanceof JsonObject)) {
      throw bad("tool_choice", "must be a string or an object");
    }
    Object parallel = body.getValue("parallel_tool_calls");
    if (parallel != null && !(parallel instanceof Boolean)) {
      throw bad("parallel_tool_calls", "must be a boolean");
    }
    number(body, "temperature", 0, 2);
    number(body, "top_p", 0, 1);
    number(body, "presence_penalty", -2, 2);
    number(body, "frequency_penalty", -2, 2);
    integer(body, "max_tokens", 1L, null);
    integer(body, "max_completion_tokens", 1L, null);
    integer(body, "n", 1L, 128L);
    integer(body, "seed", null, null);
    stop(body.getValue("stop"));
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw bad("stream", "must be a boolean");
    }
    Object options = body.getValue("stream_options");
    if (options != null) {
      if (!(options instanceof JsonObject o)) {
        throw bad("stream_options", "must be an object");
      }
      Object include = o.getValue("include_usage");
      if (include != null && !(include instanceof Boolean) || o.containsKey("include_usage") && include == null) {
        throw bad("stream_options.include_usage", "must be a boolean");
      }
    }
    if (body.containsKey("response_format")) {
      responseFormat(body.getValue("response_format"));
    }
    string(body, "user", 256);
    string(body, "org_id", 64);
  }

  private static void stop(Object stop) {
    if (stop == null || stop instanceof String s && codePoints(s) <= 1000) {
      return;
    }
    if (stop instanceof JsonArray list && list.size() <= 4) {
      for (Object o : list) {
        if (!(o instanceof String s) || codePoints(s) > 1000) {
          throw bad("stop", "must be a string or up to 4 strings of at most 1000 characters");
        }
      }
      return;
    }
    throw bad("stop", "must be a string or up to 4 strings of at most 1000 characters");
  }

  private static void responseFormat(Object value) {
    if (!(value instanceof JsonObject format)) {
      throw bad("response_format", "must be an object");
    }
    Object type = format.getValue("type");
    if (!(type instanceof String t) || !RESPONSE_FORMATS.contains(t)) {
      throw bad("response_format.type", "must be one of text, json_object, json_schema");
    }
    if (t.equals("json_schema")) {
      if (!(format.getValue("json_schema") instanceof JsonObject js)) {
        throw bad("response_format.json_schema", "must be an object with the schema's name");
      }
      if (!(js.getValue("name") instanceof String name) || name.isEmpty() || codePoints(name) > 64) {
        throw bad("response_format.json_schema.name", "must be a string of 1 to 64 characters");
      }
      if (js.containsKey("description") && !(js.getValue("description") instanceof String)) {
        throw bad("response_format.json_schema.description", "must be a string");
      }
      if (js.containsKey("schema") && !(js.getValue("schema") instanceof JsonObject)) {
        throw bad("response_format.json_schema.schema", "must be a JSON Schema object");
      }
      if (js.getValue("strict") != null && !(js.getValue("strict") instanceof Boolean)) {
        throw bad("response_format.json_schema.strict", "must be a boolean or null");
      }
    }
  }

  /** A string field that may be absent but, when present, is a string of at most {@code max} characters. */
  private static void string(JsonObject body, String field, int max) {
    if (!body.containsKey(field)) {
      return;
    }
    if (!(body.getValue(field) instanceof String s) || codePoints(s) > max) {
      throw bad(field, "must be a string of at most " + max + " characters");
    }
  }

  /** A number or null within [min, max]. */
  private static void number(JsonObject body, String field, double min, double max) {
    Object v = body.getValue(field);
    if (v == null) {
      return;
    }
    if (!(v instanceof Number n) || n.doubleValue() < min || n.doubleValue() > max) {
      throw bad(field, "must be a number from " + fmt(min) + " to " + fmt(max));
    }
  }

  /** An integer (a number with no fraction, as JSON Schema counts them) or null, within the bounds given. */
  private static void integer(JsonObject body, String field, Long min, Long max) {
    Object v = body.getValue(field);
    if (v == null) {
      return;
    }
    if (!(v instanceof Number n) || !whole(n)) {
      throw bad(field, "must be an integer");
    }
    BigDecimal d = new BigDecimal(n.toString());
    if (min != null && d.compareTo(BigDecimal.valueOf(min)) < 0 || max != null && d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw bad(field, max == null ? "must be at least " + min : "must be from " + min + " to " + max);
    }
  }

  private static boolean whole(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger) {
      return true;
    }
    double d = n.doubleValue();
    return !Double.isInfinite(d) && !Double.isNaN(d) && d == Math.rint(d);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  private static ServiceException bad(String param, String what) {
    return Errors.error(400, "invalid_request", "Invalid value for '" + param + "': " + what + ".", param);
  }
}
