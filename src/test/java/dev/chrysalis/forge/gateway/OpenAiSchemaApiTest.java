package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code /v1} answer of the gateway is valid against OpenAI's own published OpenAPI
 * description (test resource {@code openai-openapi/openapi.yaml}), whichever provider served it:
 * chat completions and each stream chunk, the model list and each model, error bodies, the
 * Responses API (create, retrieve, input items, each stream event) and embeddings. Each test
 * collects every violation before failing, so one run shows all of them.
 */
class OpenAiSchemaApiTest {

  /** One chat model per provider the gateway translates or passes through. */
  private static final List<String> CHAT = List.of("gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash", "command-r",
    "mistral-small-latest", "ollama/llama3.2");
  /** The same providers answering with a tool call, and answers cut at the output limit or refused. */
  private static final List<String> TOOLS = List.of("gpt-4o-tools", "claude-haiku-4-5-tools", "gemini-2.5-flash-tools",
    "command-r-tools");
  private static final List<String> ENDINGS = List.of("gpt-4o-truncated", "claude-haiku-4-5-truncated",
    "gpt-4o-refuses");
  private static final List<String> EMBEDDING = List.of("text-embedding-3-small", "mistral-embed", "embed-v4.0",
    "gemini-embedding-001", "ollama/nomic-embed-text");

  private static GatewayFixture f;
  private static OpenAiSchema openai;

  @BeforeAll
  static void start() {
    openai = OpenAiSchema.get();
    f = new GatewayFixture();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private final List<String> violations = new ArrayList<>();

  private void check(String what, String schema, Object value) {
    List<String> errors = openai.errors(schema, value);
    if (!errors.isEmpty()) {
      violations.add(what + " is not a valid " + schema + ": " + String.join("; ", errors) + "\n    " + value);
    }
  }

  private void assertNoViolations() {
    assertThat(violations).as("answers invalid against OpenAI's schema " + openai.version()).isEmpty();
  }

  private static Api.Resp post(String path, JsonObject body) {
    return f.api.raw("POST", path).bearer(f.user.token()).body(body).send();
  }

  private static Api.Resp get(String path) {
    return f.api.raw("GET", path).bearer(f.user.token()).send();
  }

  private static JsonObject weatherTool() {
    return new JsonObject().put("type", "function").put("name", "get_weather").put("description", "Current weather")
      .put("parameters", new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string"))));
  }

  private static List<String> chatModels() {
    List<String> all = new ArrayList<>(CHAT);
    all.addAll(TOOLS);
    all.addAll(ENDINGS);
    return all;
  }

  @Test
  void chatCompletions() {
    for (String model : chatModels()) {
      JsonObject body = model.contains("tools") ? GatewayFixture.weather(model) : GatewayFixture.hello(model);
      check("chat " + model, "CreateChatCompletionResponse",
        post("/v1/chat/completions", body).expect(200).json());
    }
    assertNoViolations();
  }

  /** The check itself: what OpenAI's schema requires is caught when it is missing or mistyped. */
  @Test
  void theCheckCatchesAnswersOpenAisSchemaRefuses() {
    JsonObject chat = post("/v1/chat/completions", GatewayFixture.hello("claude-haiku-4-5")).expect(200).json();
    assertThat(openai.errors("CreateChatCompletionResponse", chat)).isEmpty();
    JsonObject noRefusal = chat.copy();
    noRefusal.getJsonArray("choices").getJsonObject(0).getJsonObject("message").remove("refusal");
    assertThat(openai.errors("CreateChatCompletionResponse", noRefusal)).anyMatch(e -> e.contains("refusal"));
    JsonObject chunk = new Sse(post("/v1/chat/completions", GatewayFixture.hello("gpt-4o").put("stream", true))
      .expect(200).text()).chunks().get(0);
    assertThat(openai.errors("CreateChatCompletionStreamResponse", chunk)).isEmpty();
    assertThat(openai.errors("CreateChatCompletionStreamResponse", chunk.copy().put("created", "yesterday")))
      .anyMatch(e -> e.contains("created"));
    JsonObject model = get("/v1/models/gpt-4o").expect(200).json();
    assertThat(openai.errors("Model", model)).isEmpty();
    model.remove("owned_by");
    assertThat(openai.errors("Model", model)).anyMatch(e -> e.contains("owned_by"));
    JsonObject error = post("/v1/chat/completions", new JsonObject().put("model", "gpt-4o")).expect(400).json();
    assertThat(openai.errors("ErrorResponse", error)).isEmpty();
    error.getJsonObject("error").remove("param");
    assertThat(openai.errors("ErrorResponse", error)).anyMatch(e -> e.contains("param"));
  }

  @Test
  void chatStreamChunks() {
    for (String model : chatModels()) {
      for (boolean usage : new boolean[]{false, true}) {
        JsonObject body = (model.contains("tools") ? GatewayFixture.weather(model) : GatewayFixture.hello(model))
          .put("stream", true);
        if (usage) {
          body.put("stream_options", new JsonObject().put("include_usage", true));
        }
        Sse sse = new Sse(post("/v1/chat/completions", body).expect(200).text());
        assertThat(sse.endsWithDone()).as(model).isTrue();
        List<JsonObject> chunks = sse.chunks();
        assertThat(chunks).as(model).isNotEmpty();
        for (int i = 0; i < chunks.size(); i++) {
          check("chunk " + i + " of " + model + (usage ? " (include_usage)" : ""), "CreateChatCompletionStreamResponse",
            chunks.get(i));
        }
      }
    }
    assertNoViolations();
  }

  @Test
  void chatStreamErrorEvent() {
    for (String model : List.of("gpt-4o-midstream", "claude-midstream")) {
      List<JsonObject> chunks = new Sse(post("/v1/chat/completions", GatewayFixture.hello(model).put("stream", true))
        .expect(200).text()).chunks();
      JsonObject last = chunks.get(chunks.size() - 1);
      assertThat(last.containsKey("error")).as(model).isTrue();
      check("stream error event of " + model, "ErrorResponse", last);
    }
    assertNoViolations();
  }

  @Test
  void modelsListAndEachModel() {
    JsonObject list = get("/v1/models").expect(200).json();
    check("model list", "ListModelsResponse", list);
    Set<String> ids = new TreeSet<>();
    list.getJsonArray("data").forEach(m -> ids.add(((JsonObject) m).getString("id")));
    ids.addAll(chatModels());
    ids.addAll(EMBEDDING);
    ids.add("anthropic/claude-sonnet-4-5");
    for (String id : ids) {
      Api.Resp r = get("/v1/models/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
      assertThat(r.status()).as(id).isEqualTo(200);
      check("model " + id, "Model", r.json());
    }
    check("model with an unescaped slash", "Model", get("/v1/models/anthropic/claude-sonnet-4-5").expect(200).json());
    assertNoViolations();
  }

  @Test
  void errorBodies() {
    List<Api.Resp> answers = new ArrayList<>();
    answers.add(f.api.raw("POST", "/v1/chat/completions").body(GatewayFixture.hello("gpt-4o")).send());
    answers.add(post("/v1/chat/completions", new JsonObject().put("model", "gpt-4o")));
    answers.add(post("/v1/chat/completions", GatewayFixture.hello("no-such-model-anywhere")));
    answers.add(post("/v1/chat/completions", GatewayFixture.hello("claude-haiku-4-5").put("n", 2)));
    for (String model : List.of("gpt-4o", "claude", "gemini", "command")) {
      for (int status : new int[]{400, 401, 429, 500}) {
        if (!(model.equals("gemini") && status == 401)) {
          answers.add(post("/v1/chat/completions", GatewayFixture.hello(model + "-err" + status)));
        }
      }
      answers.add(post("/v1/responses", new JsonObject().put("model", model + "-err429").put("input", "Hi")));
    }
    answers.add(get("/v1/models/no-such-model-anywhere"));
    answers.add(get("/v1/responses/resp_doesnotexist"));
    answers.add(post("/v1/responses", new JsonObject().put("model", "gpt-4o").put("input", "Hi")
      .put("tools", new JsonArray().add(new JsonObject().put("type", "web_search")))));
    answers.add(post("/v1/embeddings", new JsonObject().put("model", "text-embedding-3-small")));
    answers.add(post("/v1/embeddings", new JsonObject().put("model", "text-embedding-3-small").put("input", "x")
      .put("encoding_format", "hex")));
    for (Api.Resp r : answers) {
      assertThat(r.status()).as(r.text()).isBetween(400, 599);
      check("error " + r.status(), "ErrorResponse", r.json());
    }
    assertNoViolations();
  }

  @Test
  void responsesCreateRetrieveAndInputItems() {
    for (String model : chatModels()) {
      JsonObject body = new JsonObject().put("model", model).put("instructions", "Be brief.").put("input", "Say hello.")
        .put("metadata", new JsonObject().put("case", "schema"));
      if (model.contains("tools")) {
        body.put("input", "Weather in Paris?").put("tools", new JsonArray().add(weatherTool())).put("tool_choice", "auto");
      }
      JsonObject created = post("/v1/responses", body).expect(200).json();
      check("response of " + model, "Response", created);
      if (model.contains("truncated")) {
        assertThat(created.getString("status")).as(model).isEqualTo("incomplete");
      }
      if (model.contains("refuses")) {
        assertThat(created.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0)
          .getString("type")).isEqualTo("refusal");
      }
      String id = created.getString("id");
      check("retrieved response of " + model, "Response", get("/v1/responses/" + id).expect(200).json());
      check("input items of " + model, "ResponseItemList", get("/v1/responses/" + id + "/input_items").expect(200).json());
    }
    JsonObject structured = new JsonObject().put("model", "gpt-4o").put("input", "A city, as JSON.")
      .put("text", new JsonObject().put("format", new JsonObject().put("type", "json_schema").put("name", "city")
        .put("schema", new JsonObject().put("type", "object")
          .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string"))))));
    check("response with text.format json_schema", "Response", post("/v1/responses", structured).expect(200).json());
    JsonObject items = new JsonObject().put("model", "claude-haiku-4-5").put("input", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", new JsonArray()
        .add(new JsonObject().put("type", "input_text").put("text", "What is this?"))
        .add(new JsonObject().put("type", "input_image").put("image_url", "https://example.com/cat.png"))))
      .add(new JsonObject().put("type", "function_call").put("call_id", "call_1").put("name", "get_weather")
        .put("arguments", "{\"city\":\"Paris\"}"))
      .add(new JsonObject().put("type", "function_call_output").put("call_id", "call_1").put("output", "18C")))
      .put("tools", new JsonArray().add(weatherTool()));
    JsonObject withItems = post("/v1/responses", items).expect(200).json();
    check("response to an item list", "Response", withItems);
    check("input items of an item list", "ResponseItemList",
      get("/v1/responses/" + withItems.getString("id") + "/input_items").expect(200).json());
    assertNoViolations();
  }

  @Test
  void responseStreamEvents() {
    List<String> models = new ArrayList<>(chatModels());
    models.add("gpt-4o-midstream");
    models.add("claude-midstream");
    Set<String> seen = new TreeSet<>();
    for (String model : models) {
      JsonObject body = new JsonObject().put("model", model).put("input", "Say hello.").put("stream", true);
      if (model.contains("tools")) {
        body.put("tools", new JsonArray().add(weatherTool()));
      }
      List<JsonObject> events = new Sse(post("/v1/responses", body).expect(200).text()).chunks();
      assertThat(events).as(model).isNotEmpty();
      partsAgreeWithTheirItem(model, events);
      for (JsonObject e : events) {
        String type = e.getString("type");
        seen.add(type);
        String schema = openai.eventSchema(type);
        if (schema == null) {
          violations.add(model + ": event type " + type + " is not one of OpenAI's response stream events");
          continue;
        }
        int before = violations.size();
        check(type + " of " + model, schema, e);
        if (violations.size() == before) {
          check(type + " of " + model, "ResponseStreamEvent", e);
        }
      }
    }
    assertThat(seen).contains("response.created", "response.in_progress", "response.output_item.added",
      "response.content_part.added", "response.output_text.delta", "response.output_text.done",
      "response.content_part.done", "response.output_item.done", "response.function_call_arguments.delta",
      "response.function_call_arguments.done", "response.refusal.delta", "response.refusal.done",
      "response.completed", "response.incomplete", "response.failed", "error");
    assertNoViolations();
  }

  /**
   * OpenAI's schema describes {@code embedding} as an array of numbers only, while OpenAI's API
   * (and its SDKs) answer {@code encoding_format: base64} with a base64 string of little-endian
   * float32 values. The string is checked to be exactly that, then validated as the floats it holds.
   */
  private JsonObject base64AsFloats(JsonObject answer) {
    JsonObject copy = answer.copy();
    for (Object o : copy.getJsonArray("data", new JsonArray())) {
      JsonObject item = (JsonObject) o;
      if (!(item.getValue("embedding") instanceof String b64)) {
        violations.add("base64 embedding is not a string: " + item);
        continue;
      }
      byte[] bytes = Base64.getDecoder().decode(b64);
      assertThat(bytes.length % 4).as("float32 bytes").isZero();
      ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      JsonArray floats = new JsonArray();
      while (buf.hasRemaining()) {
        floats.add((double) buf.getFloat());
      }
      item.put("embedding", floats);
    }
    return copy;
  }

  /** Each content part a stream finishes is the part at that index of the item it finishes. */
  private static void partsAgreeWithTheirItem(String model, List<JsonObject> events) {
    for (JsonObject done : events) {
      if (!"response.content_part.done".equals(done.getString("type"))) {
        continue;
      }
      JsonObject item = events.stream().filter(e -> "response.output_item.done".equals(e.getString("type"))
        && e.getJsonObject("item").getString("id").equals(done.getString("item_id"))).findFirst().orElseThrow()
        .getJsonObject("item");
      assertThat(item.getJsonArray("content").getJsonObject(done.getInteger("content_index")))
        .as(model).isEqualTo(done.getJsonObject("part"));
    }
  }

  @Test
  void embeddings() {
    for (String model : EMBEDDING) {
      for (String format : List.of("float", "base64")) {
        JsonObject body = new JsonObject().put("model", model).put("encoding_format", format)
          .put("input", new JsonArray().add("The quick brown fox").add("jumps"));
        JsonObject answer = post("/v1/embeddings", body).expect(200).json();
        if (format.equals("base64")) {
          answer = base64AsFloats(answer);
        }
        check("embeddings of " + model + " as " + format, "CreateEmbeddingResponse", answer);
      }
      check("embedding of one string by " + model, "CreateEmbeddingResponse",
        post("/v1/embeddings", new JsonObject().put("model", model).put("input", "fox")).expect(200).json());
    }
    assertNoViolations();
  }
}
