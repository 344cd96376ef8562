package dev.chrysalis.forge.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The embeddings wire format of each provider: the upstream request for an
 * {@link EmbeddingRequest}, and the vectors and token count read back. OpenAI, Ollama, vLLM and
 * custom speak OpenAI's {@code /embeddings}; Mistral the same with {@code output_dimension} and an
 * allow-list; Cohere {@code /v2/embed} ({@code texts}, {@code input_type},
 * {@code embedding_types:["float"]}); Google {@code :batchEmbedContents} (one request per text,
 * no token count: estimated). Vectors are always asked for as floats; base64 is encoded here.
 */
final class EmbeddingFormats {

  /** Vectors in input order and the input tokens, {@code estimated} when the upstream gave no count. */
  record Vectors(List<JsonArray> vectors, long inputTokens, boolean estimated) {
  }

  private EmbeddingFormats() {
  }

  static UpstreamCall request(String provider, String upstreamModel, EmbeddingRequest r, Credentials c) {
    if (r.tokens() != null && !EmbeddingRequest.TOKEN_PROVIDERS.contains(provider)) {
      throw EmbeddingRequest.unsupported("input", "The " + provider + " provider takes text only, not token arrays.");
    }
    MultiMap headers = UpstreamCall.jsonHeaders();
    return switch (provider) {
      case "cohere" -> {
        JsonObject body = new JsonObject().put("model", upstreamModel).put("texts", new JsonArray(r.texts()))
          .put("input_type", r.inputType() == null ? "search_document" : r.inputType())
          .put("embedding_types", new JsonArray().add("float"));
        if (r.dimensions() != null) {
          body.put("output_dimension", r.dimensions());
        }
        headers.add("authorization", "Bearer " + c.key());
        yield new UpstreamCall(c.baseUrl() + "/v2/embed", headers, body.toBuffer());
      }
      case "google" -> {
        String name = upstreamModel.startsWith("models/") ? upstreamModel.substring(7) : upstreamModel;
        JsonArray requests = new JsonArray();
        for (String text : r.texts()) {
          JsonObject one = new JsonObject().put("model", "models/" + name)
            .put("content", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", text))));
          if (r.dimensions() != null) {
            one.put("outputDimensionality", r.dimensions());
          }
          requests.add(one);
        }
        headers.add("x-goog-api-key", c.key());
        yield new UpstreamCall(c.baseUrl() + "/v1beta/models/" + name + ":batchEmbedContents", headers,
          new JsonObject().put("requests", requests).toBuffer());
      }
      case "mistral" -> {
        JsonObject body = new JsonObject().put("model", upstreamModel).put("input", new JsonArray(r.texts()));
        if (r.dimensions() != null) {
          body.put("output_dimension", r.dimensions());
        }
        headers.add("authorization", "Bearer " + c.key());
        yield new UpstreamCall(c.baseUrl() + "/v1/embeddings", headers, body.toBuffer());
      }
      case "anthropic" -> throw EmbeddingRequest.unsupported("model",
        "The anthropic provider has no embeddings; choose an embedding model of another provider.");
      default -> {
        JsonObject body = new JsonObject().put("model", upstreamModel).put("encoding_format", "float");
        body.put("input", r.texts() != null ? new JsonArray(r.texts()) : new JsonArray(new ArrayList<>(r.tokens())));
        if (r.dimensions() != null) {
          body.put("dimensions", r.dimensions());
        }
        if (r.user() != null && provider.equals("openai")) {
          body.put("user", r.user());
        }
        if (c.key() != null && !c.key().isEmpty()) {
          headers.add("authorization", "Bearer " + c.key());
        }
        String path = provider.equals("openai") || provider.equals("custom") ? "/embeddings" : "/v1/embeddings";
        yield new UpstreamCall(c.baseUrl() + path, headers, body.toBuffer());
      }
    };
  }

  static Vectors response(String provider, Buffer raw, EmbeddingRequest r) {
    JsonObject body = raw.toJsonObject();
    List<JsonArray> vectors = new ArrayList<>();
    switch (provider) {
      case "cohere" -> {
        for (Object o : body.getJsonObject("embeddings").getJsonArray("float")) {
          vectors.add((JsonArray) o);
        }
        JsonObject meta = body.getJsonObject("meta", new JsonObject());
        JsonObject billed = meta.getJsonObject("billed_units", new JsonObject());
        Object in = billed.getValue("input_tokens");
        return checked(vectors, r, in instanceof Number n ? n.longValue() : -1);
      }
      case "google" -> {
        for (Object o : body.getJsonArray("embeddings")) {
          vectors.add(((JsonObject) o).getJsonArray("values"));
        }
        return checked(vectors, r, -1);
      }
      default -> {
        JsonArray data = body.getJsonArray("data");
        JsonArray[] byIndex = new JsonArray[data.size()];
        for (int i = 0; i < data.size(); i++) {
          JsonObject d = data.getJsonObject(i);
          int index = d.getValue("index") instanceof Number n ? n.intValue() : i;
          byIndex[index] = d.getJsonArray("embedding");
        }
        vectors.addAll(List.of(byIndex));
        JsonObject usage = body.getJsonObject("usage");
        Object in = usage == null ? null : usage.getValue("prompt_tokens");
        return checked(vectors, r, in instanceof Number n ? n.longValue() : -1);
      }
    }
  }

  private static Vectors checked(List<JsonArray> vectors, EmbeddingRequest r, long tokens) {
    if (vectors.size() != r.size() || vectors.contains(null)) {
      throw new IllegalStateException("vector count differs from input count");
    }
    return tokens < 0 ? new Vectors(vectors, r.estimatedTokens(), true) : new Vectors(vectors, tokens, false);
  }

  /** OpenAI's base64 form: the float32 values, little-endian, base64-encoded. */
  static String base64(JsonArray vector) {
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(vector.size() * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (Object v : vector) {
      bytes.putFloat(((Number) v).floatValue());
    }
    return java.util.Base64.getEncoder().encodeToString(bytes.array());
  }
}
