package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An OpenAI embeddings body, checked: {@code input} one string, an array of strings, one token
 * array or an array of token arrays (token arrays only where the provider takes them: OpenAI,
 * vLLM, custom); {@code dimensions}; {@code encoding_format} float (default) or base64;
 * {@code user}; {@code input_type} for Cohere (default {@code search_document}). Any other field
 * answers 400 {@code unsupported_parameter}.
 */
record EmbeddingRequest(String model, List<String> texts, List<JsonArray> tokens, Integer dimensions, boolean base64,
                        String user, String inputType) {

  static final int MAX_INPUTS = 2048;
  static final Set<String> FIELDS = Set.of("model", "input", "dimensions", "encoding_format", "user", "input_type",
    "org_id");
  static final Set<String> TOKEN_PROVIDERS = Set.of("openai", "vllm", "custom");
  static final Set<String> INPUT_TYPES = Set.of("search_document", "search_query", "classification", "clustering");

  int size() {
    return texts != null ? texts.size() : tokens.size();
  }

  static EmbeddingRequest read(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field) && body.getValue(field) != null) {
        throw unsupported(field, "'" + field + "' is not supported by this service's embeddings.");
      }
    }
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw bad("model", "is required");
    }
    Object input = body.getValue("input");
    List<String> texts = null;
    List<JsonArray> tokens = null;
    if (input instanceof String s) {
      texts = List.of(s);
    } else if (input instanceof JsonArray list && !list.isEmpty()) {
      if (list.size() > MAX_INPUTS) {
        throw bad("input", "has more than " + MAX_INPUTS + " inputs");
      }
      Object first = list.getValue(0);
      if (first instanceof String) {
        texts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          if (!(list.getValue(i) instanceof String s)) {
            throw bad("input[" + i + "]", "must be a string like the others");
          }
          texts.add(s);
        }
      } else if (first instanceof Number) {
        tokens = List.of(tokenArray(list, "input"));
      } else if (first instanceof JsonArray) {
        tokens = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          if (!(list.getValue(i) instanceof JsonArray a) || a.isEmpty()) {
            throw bad("input[" + i + "]", "must be a non-empty token array like the others");
          }
          tokens.add(tokenArray(a, "input[" + i + "]"));
        }
      } else {
        throw bad("input", "must be a string, an array of strings, or token arrays");
      }
    } else {
      throw bad("input", "must be a non-empty string, an array of strings, or token arrays");
    }
    if (texts != null) {
      for (int i = 0; i < texts.size(); i++) {
        if (texts.get(i).isEmpty()) {
          throw bad(texts.size() == 1 ? "input" : "input[" + i + "]", "must not be empty");
        }
      }
    }
    Object dims = body.getValue("dimensions");
    if (dims != null && (!(dims instanceof Integer || dims instanceof Long) || ((Number) dims).longValue() < 1
      || ((Number) dims).longValue() > 65536)) {
      throw bad("dimensions", "must be a positive integer");
    }
    Object format = body.getValue("encoding_format");
    if (format != null && !"float".equals(format) && !"base64".equals(format)) {
      throw bad("encoding_format", "must be float or base64");
    }
    Object user = body.getValue("user");
    if (user != null && !(user instanceof String)) {
      throw bad("user", "must be a string");
    }
    Object type = body.getValue("input_type");
    if (type != null && !INPUT_TYPES.contains(type)) {
      throw bad("input_type", "must be one of search_document, search_query, classification, clustering");
    }
    return new EmbeddingRequest(model, texts, tokens, dims == null ? null : ((Number) dims).intValue(),
      "base64".equals(format), (String) user, (String) type);
  }

  private static JsonArray tokenArray(JsonArray a, String at) {
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof Integer || a.getValue(i) instanceof Long) || ((Number) a.getValue(i)).longValue() < 0) {
        throw bad(at + "[" + i + "]", "must be a token id (an integer >= 0)");
      }
    }
    return a;
  }

  /** The text of every input, for estimates: token arrays count one token per id. */
  long estimatedTokens() {
    if (tokens != null) {
      return tokens.stream().mapToLong(JsonArray::size).sum();
    }
    return texts.stream().mapToLong(t -> Usage.estimateTokens(t.length())).sum();
  }

  static ServiceException bad(String param, String what) {
    return Errors.error(400, "invalid_request", "Invalid value for '" + param + "': " + what + ".", param);
  }

  static ServiceException unsupported(String param, String message) {
    return Errors.error(400, "unsupported_parameter", message, param);
  }
}
