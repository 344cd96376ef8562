package dev.chrysalis.forge.gateway;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** POST/GET/DELETE /v1/responses and input_items, with the official OpenAI Java SDK and raw HTTP. */
class ResponsesApiTest {

  private static final List<String> MODELS = List.of("gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash", "command-r",
    "mistral-small-latest");

  private static GatewayFixture f;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
    client = OpenAIOkHttpClient.builder().apiKey(Users.apiKey(f.api, f.user, "chat"))
      .baseUrl(f.api.baseUrl() + "/v1").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    f.close();
  }

  private static ResponseCreateParams hello(String model) {
    return ResponseCreateParams.builder().model(model).instructions("Be brief.").input("Say hello.").build();
  }

  private static String text(Response r) {
    StringBuilder sb = new StringBuilder();
    r.output().forEach(item -> item.message().ifPresent(m -> m.content()
      .forEach(c -> c.outputText().ifPresent(t -> sb.append(t.text())))));
    return sb.toString();
  }

  private Api.Resp create(JsonObject body) {
    return f.api.call("createResponse").bearer(f.user.token()).body(body).send();
  }

  private static JsonObject weatherTool() {
    return new JsonObject().put("type", "function").put("name", "get_weather").put("description", "Current weather")
      .put("parameters", new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string"))));
  }

  // ---------------- create ----------------

  @Test
  void sdkCreateAcrossProviders() {
    for (String model : MODELS) {
      Response r = client.responses().create(hello(model));
      r.validate();
      assertThat(text(r)).as(model).isEqualTo("Hello there!");
      assertThat(r.id()).startsWith("resp_");
      assertThat(r.status()).hasValueSatisfying(s -> assertThat(s.asString()).isEqualTo("completed"));
      assertThat(r.usage().orElseThrow().totalTokens()).as(model).isPositive();
      assertThat(r.instructions()).isPresent();
    }
    // the instructions reach the upstream as its system prompt (Anthropic: top-level system)
    JsonObject anthropic = f.fake.seen.stream().filter(s -> s.path().equals("/v1/messages")).reduce((a, b) -> b)
      .orElseThrow().body();
    assertThat(anthropic.encode()).contains("Be brief.");
  }

  @Test
  void sdkStreamAcrossProvidersInOpenAisEventOrder() {
    for (String model : MODELS) {
      List<String> types = new ArrayList<>();
      List<Long> sequence = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      Response[] completed = new Response[1];
      try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(hello(model))) {
        stream.stream().forEach(e -> {
          e.validate();
          e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
          e.completed().ifPresent(c -> completed[0] = c.response());
          types.add(type(e));
          sequence.add(sequenceNumber(e));
        });
      }
      assertThat(text.toString()).as(model).isEqualTo("Hello there!");
      assertThat(types).as(model).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed");
      for (int i = 0; i < sequence.size(); i++) {
        assertThat(sequence.get(i)).isEqualTo(i);
      }
      assertThat(text(completed[0])).isEqualTo("Hello there!");
      assertThat(completed[0].usage().orElseThrow().totalTokens()).as(model).isPositive();
    }
  }

  private static String type(ResponseStreamEvent e) {
    return e.created().map(x -> "response.created")
      .or(() -> e.inProgress().map(x -> "response.in_progress"))
      .or(() -> e.outputItemAdded().map(x -> "response.output_item.added"))
      .or(() -> e.contentPartAdded().map(x -> "response.content_part.added"))
      .or(() -> e.outputTextDelta().map(x -> "response.output_text.delta"))
      .or(() -> e.outputTextDone().map(x -> "response.output_text.done"))
      .or(() -> e.contentPartDone().map(x -> "response.content_part.done"))
      .or(() -> e.outputItemDone().map(x -> "response.output_item.done"))
      .or(() -> e.functionCallArgumentsDelta().map(x -> "response.function_call_arguments.delta"))
      .or(() -> e.functionCallArgumentsDone().map(x -> "response.function_call_arguments.done"))
      .or(() -> e.completed().map(x -> "response.completed"))
      .or(() -> e.failed().map(x -> "response.failed"))
      .or(() -> e.error().map(x -> "error"))
      .orElse("other");
  }

  private static long sequenceNumber(ResponseStreamEvent e) {
    try {
      return new JsonObject(com.openai.core.ObjectMappers.jsonMapper().writeValueAsString(e)).getLong("sequence_number");
    } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
      throw new IllegalStateException(x);
    }
  }

  @Test
  void functionToolsAndAFollowUpWithTheToolOutput() {
    for (String model : List.of("gpt-4o-tools", "claude-haiku-4-5-tools", "gemini-2.5-flash-tools", "command-r-tools")) {
      JsonObject body = new JsonObject().put("model", model).put("input", "Weather in Paris?")
        .put("tools", new JsonArray().add(weatherTool())).put("tool_choice", "auto").put("parallel_tool_calls", false);
      JsonObject r = create(body).expect(200).json();
      JsonObject call = r.getJsonArray("output").stream().map(o -> (JsonObject) o)
        .filter(o -> "function_call".equals(o.getString("type"))).findFirst().orElseThrow();
      assertThat(call.getString("name")).as(model).isEqualTo("get_weather");
      assertThat(new JsonObject(call.getString("arguments")).getString("city")).isEqualTo("Paris");
      assertThat(r.getBoolean("parallel_tool_calls")).isFalse();
      assertThat(r.getJsonArray("tools").getJsonObject(0).getString("name")).isEqualTo("get_weather");

      String followModel = model.replace("-tools", "");
      JsonObject follow = new JsonObject().put("model", followModel).put("previous_response_id", r.getString("id"))
        .put("input", new JsonArray().add(new JsonObject().put("type", "function_call_output")
          .put("call_id", call.getString("call_id")).put("output", "18C and sunny")));
      JsonObject second = create(follow).expect(200).json();
      assertThat(second.getString("previous_response_id")).isEqualTo(r.getString("id"));
      assertThat(second.getString("status")).isEqualTo("completed");
      // the upstream got the whole conversation: the question, the tool call and its output
      String sent = f.fake.last().body().encode();
      assertThat(sent).as(followModel).contains("Weather in Paris?", "get_weather", "18C and sunny");
    }
  }

  @Test
  void streamedToolCallEvents() {
    JsonObject body = new JsonObject().put("model", "gpt-4o-tools").put("input", "Weather in Paris?").put("stream", true)
      .put("tools", new JsonArray().add(weatherTool()));
    Api.Resp r = f.api.raw("POST", "/v1/responses").bearer(f.user.token()).body(body).send().expect(200);
    assertThat(r.header("content-type")).startsWith("text/event-stream");
    List<JsonObject> events = Sse.responses(r.text()).chunks();
    List<String> types = events.stream().map(e -> e.getString("type")).toList();
    assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
      "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
      "response.completed");
    assertThat(r.text()).contains("event: response.function_call_arguments.delta\ndata: ");
    JsonObject done = events.get(4);
    assertThat(done.getString("arguments")).isEqualTo("{\"city\":\"Paris\"}");
    JsonObject item = events.get(5).getJsonObject("item");
    assertThat(item.getString("call_id")).isEqualTo("call_1");
    assertThat(item.getString("status")).isEqualTo("completed");
  }

  @Test
  void aStreamThatBreaksEndsWithErrorAndResponseFailedAndIsStoredAsFailed() {
    JsonObject body = new JsonObject().put("model", "gpt-4o-midstream").put("input", "Hi").put("stream", true);
    Api.Resp r = f.api.raw("POST", "/v1/responses").bearer(f.user.token()).body(body).send().expect(200);
    List<JsonObject> events = Sse.responses(r.text()).chunks();
    List<String> types = events.stream().map(e -> e.getString("type")).toList();
    assertThat(types.subList(types.size() - 2, types.size())).containsExactly("error", "response.failed");
    JsonObject failed = events.get(events.size() - 1).getJsonObject("response");
    assertThat(failed.getString("status")).isEqualTo("failed");
    JsonObject stored = f.api.call("getResponse").path("response_id", failed.getString("id")).bearer(f.user.token())
      .send().expect(200).json();
    assertThat(stored.getString("status")).isEqualTo("failed");
    assertThat(stored.getJsonObject("error").getString("message")).isNotBlank();
  }

  @Test
  void settingsReachTheUpstreamInItsTerms() {
    JsonObject schema = new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("greeting", new JsonObject().put("type", "string")));
    JsonObject body = new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("temperature", 0.5).put("top_p", 0.9)
      .put("max_output_tokens", 77).put("user", "end-user-1").put("metadata", new JsonObject().put("k", "v"))
      .put("text", new JsonObject().put("format", new JsonObject().put("type", "json_schema").put("name", "greet")
        .put("schema", schema).put("strict", true)));
    JsonObject r = create(body).expect(200).json();
    JsonObject sent = f.fake.last().body();
    assertThat(sent.getDouble("temperature")).isEqualTo(0.5);
    assertThat(sent.getDouble("top_p")).isEqualTo(0.9);
    assertThat(sent.getInteger("max_completion_tokens")).isEqualTo(77);
    assertThat(sent.getString("user")).isEqualTo("end-user-1");
    assertThat(sent.getJsonObject("response_format").getString("type")).isEqualTo("json_schema");
    assertThat(sent.getJsonObject("response_format").getJsonObject("json_schema").getJsonObject("schema")).isEqualTo(schema);
    assertThat(sent.containsKey("metadata")).isFalse();
    assertThat(r.getJsonObject("metadata").getString("k")).isEqualTo("v");
    assertThat(r.getInteger("max_output_tokens")).isEqualTo(77);
    assertThat(r.getJsonObject("text").getJsonObject("format").getString("type")).isEqualTo("json_schema");

    create(new JsonObject().put("model", "claude-haiku-4-5").put("input", "Hi").put("max_output_tokens", 55)).expect(200);
    assertThat(f.fake.last().body().getInteger("max_tokens")).isEqualTo(55);
  }

  @Test
  void imageInputReachesAVisionUpstream() {
    JsonObject body = new JsonObject().put("model", "gpt-4o").put("input", new JsonArray().add(new JsonObject()
      .put("role", "user").put("content", new JsonArray()
        .add(new JsonObject().put("type", "input_text").put("text", "What is this?"))
        .add(new JsonObject().put("type", "input_image").put("image_url", "https://example.com/cat.png")))));
    create(body).expect(200);
    JsonObject message = f.fake.last().body().getJsonArray("messages").getJsonObject(0);
    assertThat(message.getJsonArray("content").getJsonObject(1).getJsonObject("image_url").getString("url"))
      .isEqualTo("https://example.com/cat.png");
  }

  // ---------------- stored responses ----------------

  @Test
  void storedResponsesCanBeReadListedAndDeletedByTheirOwnerOnly() {
    JsonObject r = create(new JsonObject().put("model", "gpt-4o").put("input", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "First"))
      .add(new JsonObject().put("type", "message").put("role", "assistant").put("content", "Noted"))
      .add(new JsonObject().put("role", "user").put("content", "Second")))).expect(200).json();
    String id = r.getString("id");
    JsonObject got = f.api.call("getResponse").path("response_id", id).bearer(f.user.token()).send().expect(200).json();
    assertThat(got).isEqualTo(r);
    assertThat(client.responses().retrieve(id).id()).isEqualTo(id);

    JsonObject page = f.api.call("listResponseInputItems").path("response_id", id).query("limit", "2")
      .query("order", "asc").bearer(f.user.token()).send().expect(200).json();
    assertThat(page.getJsonArray("data").size()).isEqualTo(2);
    assertThat(page.getBoolean("has_more")).isTrue();
    assertThat(page.getJsonArray("data").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"))
      .isEqualTo("First");
    JsonObject rest = f.api.call("listResponseInputItems").path("response_id", id).query("order", "asc")
      .query("after", page.getString("last_id")).bearer(f.user.token()).send().expect(200).json();
    assertThat(rest.getJsonArray("data").size()).isEqualTo(1);
    assertThat(rest.getBoolean("has_more")).isFalse();
    JsonObject desc = f.api.call("listResponseInputItems").path("response_id", id).bearer(f.user.token()).send()
      .expect(200).json();
    assertThat(desc.getJsonArray("data").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"))
      .isEqualTo("Second");

    // another user sees nothing of it, cannot delete it and cannot continue from it
    Users.Registered other = Users.register(f.api);
    int before = f.fake.seen.size();
    Api.Resp nf = f.api.call("getResponse").path("response_id", id).bearer(other.token()).send().expect(404);
    assertThat(nf.error().getString("code")).isEqualTo("response_not_found");
    f.api.call("listResponseInputItems").path("response_id", id).bearer(other.token()).send().expect(404);
    f.api.call("deleteResponse").path("response_id", id).bearer(other.token()).send().expect(404);
    Api.Resp cont = f.api.call("createResponse").bearer(other.token())
      .body(new JsonObject().put("model", "gpt-4o").put("input", "Go on").put("previous_response_id", id)).send()
      .expect(404);
    assertThat(cont.error().getString("param")).isEqualTo("previous_response_id");
    assertThat(f.fake.seen.size()).isEqualTo(before);

    JsonObject deleted = f.api.call("deleteResponse").path("response_id", id).bearer(f.user.token()).send().expect(200)
      .json();
    assertThat(deleted.getBoolean("deleted")).isTrue();
    f.api.call("getResponse").path("response_id", id).bearer(f.user.token()).send().expect(404);
    assertThatThrownBy(() -> client.responses().retrieve(id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void previousResponseIdCarriesTheConversation() {
    Response first = client.responses().create(ResponseCreateParams.builder().model("claude-haiku-4-5")
      .input("My name is Ada.").build());
    Response second = client.responses().create(ResponseCreateParams.builder().model("claude-haiku-4-5")
      .previousResponseId(first.id()).input("What is my name?").build());
    assertThat(second.previousResponseId()).contains(first.id());
    JsonArray messages = f.fake.last().body().getJsonArray("messages");
    assertThat(messages.encode()).contains("My name is Ada.", "Hello there!", "What is my name?");
    Response third = client.responses().create(ResponseCreateParams.builder().model("gpt-4o")
      .previousResponseId(second.id()).input("And again?").build());
    assertThat(f.fake.last().body().getJsonArray("messages").size()).isEqualTo(5);
    assertThat(third.status()).hasValueSatisfying(s -> assertThat(s.asString()).isEqualTo("completed"));
  }

  @Test
  void storeFalseKeepsNothing() throws Exception {
    Response r = client.responses().create(hello("gpt-4o").toBuilder().store(false).build());
    assertThatThrownBy(() -> client.responses().retrieve(r.id())).isInstanceOf(NotFoundException.class);
    assertThat(rows(r.id())).isZero();
  }

  // ---------------- billing and usage ----------------

  @Test
  void billedAndRecordedAsAChatCall() throws Exception {
    String requestId = "resp-test-" + UUID.randomUUID();
    f.api.call("createResponse").bearer(f.user.token()).header("x-request-id", requestId)
      .body(new JsonObject().put("model", "openai/gpt-4o-2024-08-06").put("input", "Hi")).send().expect(200);
    JsonObject row = f.waitForUsage(f.user.id(), requestId);
    assertThat(row).isNotNull();
    assertThat(row.getString("model")).isEqualTo("gpt-4o");
    assertThat(row.getString("provider")).isEqualTo("openai");
    assertThat(row.getLong("input_tokens")).isEqualTo(9L);
    assertThat(row.getLong("output_tokens")).isEqualTo(3L);

    String streamed = "resp-test-" + UUID.randomUUID();
    f.api.raw("POST", "/v1/responses").bearer(f.user.token()).header("x-request-id", streamed)
      .body(new JsonObject().put("model", "gemini-2.5-flash").put("input", "Hi").put("stream", true)).send().expect(200);
    JsonObject srow = f.waitForUsage(f.user.id(), streamed);
    assertThat(srow.getString("provider")).isEqualTo("google");
    assertThat(srow.getBoolean("estimated")).isFalse();
  }

  @Test
  void upstreamErrorsAnswerInOurShapeAndStoreNothing() throws Exception {
    long stored = countAll();
    assertThatThrownBy(() -> client.responses().create(hello("no-such-model"))).isInstanceOf(NotFoundException.class);
    Api.Resp r = create(new JsonObject().put("model", "gpt-4o-err400").put("input", "Hi")).expect(400);
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(countAll()).isEqualTo(stored);
  }

  // ---------------- refusals ----------------

  @Test
  void unsupportedThingsAreRefusedByNameAndCostNothing() throws Exception {
    long stored = countAll();
    int calls = f.fake.seen.size();
    record Case(JsonObject extra, String param) {
    }
    List<Case> cases = List.of(
      new Case(new JsonObject().put("tools", new JsonArray().add(new JsonObject().put("type", "web_search"))), "tools[0].type"),
      new Case(new JsonObject().put("tools", new JsonArray().add(weatherTool())
        .add(new JsonObject().put("type", "file_search").put("vector_store_ids", new JsonArray().add("vs_1")))), "tools[1].type"),
      new Case(new JsonObject().put("background", true), "background"),
      new Case(new JsonObject().put("conversation", "conv_1"), "conversation"),
      new Case(new JsonObject().put("include", new JsonArray().add("file_search_call.results")), "include"),
      new Case(new JsonObject().put("truncation", "auto"), "truncation"),
      new Case(new JsonObject().put("prompt", new JsonObject().put("id", "pmpt_1")), "prompt"),
      new Case(new JsonObject().put("max_tool_calls", 3), "max_tool_calls"),
      new Case(new JsonObject().put("tool_choice", new JsonObject().put("type", "web_search_preview")), "tool_choice.type"),
      new Case(new JsonObject().put("input", new JsonArray().add(new JsonObject().put("type", "item_reference")
        .put("id", "msg_1"))), "input[0].type"),
      new Case(new JsonObject().put("input", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "input_file").put("file_id", "f_1"))))),
        "input[0].content[0].type"));
    for (Case c : cases) {
      JsonObject body = new JsonObject().put("model", "gpt-4o").put("input", "Hi").mergeIn(c.extra());
      Api.Resp r = create(body).expect(400);
      assertThat(r.error().getString("code")).as(c.param()).isEqualTo("unsupported_parameter");
      assertThat(r.error().getString("param")).as(c.param()).isEqualTo(c.param());
      assertThat(r.error().getString("message")).as(c.param()).isNotBlank();
    }
    // off values ask for nothing and are served
    create(new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("background", false)
      .put("include", new JsonArray()).put("truncation", "disabled").putNull("conversation")).expect(200);
    assertThatThrownBy(() -> client.responses().create(hello("gpt-4o").toBuilder().background(true).build()))
      .isInstanceOf(BadRequestException.class);
    assertThat(f.fake.seen.size()).isEqualTo(calls + 1);
    assertThat(countAll()).isEqualTo(stored + 1);
  }

  @Test
  void badInputIsRefusedInOurShape() throws Exception {
    long stored = countAll();
    int calls = f.fake.seen.size();
    List<JsonObject> bodies = List.of(
      new JsonObject().put("model", "gpt-4o").put("input", 42),
      new JsonObject().put("model", "gpt-4o").put("input", new JsonArray().add("text")),
      new JsonObject().put("model", "gpt-4o").put("input", new JsonArray().add(new JsonObject().put("role", "robot")
        .put("content", "x"))),
      new JsonObject().put("model", "gpt-4o").put("input", new JsonArray().add(new JsonObject()
        .put("type", "function_call_output").put("output", "x"))),
      new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("tools", new JsonArray()
        .add(new JsonObject().put("type", "function"))),
      new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("tools", new JsonArray()
        .add(new JsonObject().put("type", "function").put("name", "f").put("strict", "yes"))),
      new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("tools", new JsonArray()
        .add(new JsonObject().put("type", "function").put("name", "f").put("description", 7))),
      new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("tool_choice", "sometimes"),
      new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("text", new JsonObject()
        .put("format", new JsonObject().put("type", "json_schema").put("name", "x"))),
      new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("stream_options", new JsonObject()),
      new JsonObject().put("model", "gpt-4o").put("input", "Nul \u0000 here"),
      new JsonObject().put("model", "gpt-4o").put("input", "Hi").put("temperature", 3),
      new JsonObject().put("input", "Hi"));
    for (JsonObject body : bodies) {
      Api.Resp r = f.api.raw("POST", "/v1/responses").bearer(f.user.token()).body(body).send();
      assertThat(r.status()).as(body.encode()).isEqualTo(400);
      assertThat(r.error().getString("type")).as(body.encode()).isEqualTo("invalid_request_error");
    }
    assertThat(f.fake.seen.size()).isEqualTo(calls);
    assertThat(countAll()).isEqualTo(stored);
    Api.Resp bad = f.api.raw("GET", "/v1/responses/resp_x/input_items?limit=500").bearer(f.user.token()).send();
    assertThat(bad.status()).isEqualTo(400);
  }

  @Test
  void needsAChatScopedKey() {
    String readOnly = Users.apiKey(f.api, f.user, "read");
    f.api.call("createResponse").bearer(readOnly).body(new JsonObject().put("model", "gpt-4o").put("input", "Hi")).send()
      .expect(403);
    f.api.call("createResponse").body(new JsonObject().put("model", "gpt-4o").put("input", "Hi")).send().expect(401);
  }

  private long rows(String id) throws Exception {
    try (Connection c = TestDatabase.connect(f.app.databaseUrl());
         PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM responses WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private long countAll() throws Exception {
    try (Connection c = TestDatabase.connect(f.app.databaseUrl());
         PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM responses")) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
