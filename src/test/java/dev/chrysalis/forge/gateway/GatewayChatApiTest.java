package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every translation, both ways, streamed and not, against fake providers speaking each wire format. */
class GatewayChatApiTest {

  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static JsonObject streamed(JsonObject body, boolean includeUsage) {
    body.put("stream", true);
    if (includeUsage) {
      body.put("stream_options", new JsonObject().put("include_usage", true));
    }
    return body;
  }

  // ---------------- OpenAI-compatible passthrough ----------------

  @Test
  void openaiPlainPassesUntranslatedFieldsThroughAndUsesTheServiceKey() {
    String orgId = f.api.call("createOrg").bearer(f.user.token()).body(new JsonObject().put("name", "Acme")
      .put("slug", "acme-" + System.nanoTime())).send().expect(201).json().getString("id");
    JsonObject body = GatewayFixture.hello("gpt-4o").put("logit_bias", new JsonObject().put("50256", -100))
      .put("metadata", new JsonObject().put("k", "v")).put("org_id", orgId);
    Api.Resp r = f.chat(body).expect(200);
    JsonObject json = r.json();
    assertThat(json.getString("object")).isEqualTo("chat.completion");
    assertThat(json.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
      .isEqualTo("Hello there!");
    assertThat(json.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(12);

    FakeProviders.Seen seen = f.fake.last();
    assertThat(seen.path()).isEqualTo("/v1/chat/completions");
    assertThat(seen.headers().get("authorization")).isEqualTo("Bearer " + FakeProviders.OPENAI_KEY);
    assertThat(seen.body().getJsonObject("logit_bias").getInteger("50256")).isEqualTo(-100);
    assertThat(seen.body().getJsonObject("metadata").getString("k")).isEqualTo("v");
    assertThat(seen.body().containsKey("org_id")).isFalse();
    assertThat(seen.body().getJsonArray("messages")).isEqualTo(body.getJsonArray("messages"));
  }

  @Test
  void openaiGetsTheClientsOwnBytesWhenNothingNeedsTranslating() {
    // spacing, key order and number spelling survive only if the bytes are not re-encoded
    String body = "{ \"temperature\" : 1.50, \"model\":\"gpt-4o\",\n \"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";
    f.api.call("createChatCompletion").bearer(f.user.token()).body(body).send().expect(200);
    assertThat(f.fake.last().raw()).isEqualTo(body);

    String stream = "{\"stream\":true, \"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";
    f.api.raw("POST", "/v1/chat/completions").bearer(f.user.token()).body(stream).send().expect(200);
    assertThat(f.fake.last().raw()).isEqualTo("{\"stream_options\":{\"include_usage\":true}," + stream.substring(1));

    // a model renamed for the upstream means a re-encoded body
    f.chat(GatewayFixture.hello("openai/gpt-4o")).expect(200);
    assertThat(f.fake.last().raw()).contains("\"model\":\"gpt-4o\"").doesNotContain("openai/");
  }

  @Test
  void aRepeatedKeyIsRefusedBeforeTheUpstream() {
    int before = f.fake.seen.size();
    Api.Resp r = f.api.call("createChatCompletion").bearer(f.user.token())
      .body("{\"model\":\"gpt-4o-mini\",\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
      .send().expect(400);
    assertThat(r.error().getString("code")).isEqualTo("invalid_json");
    assertThat(f.fake.seen.size()).isEqualTo(before);
  }

  @Test
  void anOrgTheCallerIsNotInIsRefusedBeforeTheUpstream() {
    int before = f.fake.seen.size();
    Api.Resp r = f.chat(GatewayFixture.hello("gpt-4o").put("org_id", "org_notmine")).expect(404);
    assertThat(r.error().getString("code")).isEqualTo("org_not_found");
    f.api.call("createChatCompletion").bearer(f.user.token()).header("OpenAI-Organization", "org_notmine")
      .body(GatewayFixture.hello("gpt-4o")).send().expect(404);
    assertThat(f.fake.seen.size()).isEqualTo(before);
  }

  @Test
  void explicitProviderPrefixIsStrippedUpstream() {
    f.chat(GatewayFixture.hello("openai/my-finetune")).expect(200);
    assertThat(f.fake.last().body().getString("model")).isEqualTo("my-finetune");
  }

  @Test
  void openaiStreamAsksForUsageButDoesNotForwardItUnasked() {
    Api.Resp r = f.chat(streamed(GatewayFixture.hello("gpt-4o"), false)).expect(200);
    assertThat(r.header("content-type")).startsWith("text/event-stream");
    assertThat(f.fake.last().body().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    Sse sse = Sse.chat(r.text());
    assertThat(sse.text()).isEqualTo("Hello there!");
    assertThat(sse.endsWithDone()).isTrue();
    assertThat(sse.usageChunks()).isEmpty();
    assertThat(sse.chunks()).allSatisfy(c -> assertThat(c.getJsonArray("choices")).isNotEmpty());
    assertThat(sse.finishReasons()).containsExactly("stop");
  }

  @Test
  void openaiStreamSendsExactlyOneUsageChunkWhenAsked() {
    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.hello("gpt-4o"), true)).expect(200).text());
    assertThat(sse.usageChunks()).hasSize(1);
    JsonObject usage = sse.usageChunks().get(0);
    assertThat(usage.getJsonArray("choices")).isEmpty();
    assertThat(usage.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(9);
    assertThat(sse.last()).isEqualTo(usage);
    assertThat(sse.endsWithDone()).isTrue();
  }

  @Test
  void openaiToolCallStreamPassesThrough() {
    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.weather("gpt-4o-tools"), false)).expect(200).text());
    assertThat(sse.firstToolCall().getString("id")).isEqualTo("call_1");
    assertThat(sse.toolArguments(0)).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(sse.finishReasons()).containsExactly("tool_calls");
  }

  @Test
  void mistralGetsOnlyFieldsItAcceptsAndNoStreamOptions() {
    JsonObject body = streamed(GatewayFixture.hello("mistral-small-latest"), true).put("seed", 7)
      .put("logit_bias", new JsonObject()).put("max_completion_tokens", 50).put("user", "u1");
    Sse sse = Sse.chat(f.chat(body).expect(200).text());
    JsonObject up = f.fake.last().body();
    assertThat(f.fake.last().path()).isEqualTo("/v1/chat/completions");
    assertThat(f.fake.last().headers().get("authorization")).isEqualTo("Bearer " + FakeProviders.MISTRAL_KEY);
    assertThat(up.containsKey("stream_options")).isFalse();
    assertThat(up.containsKey("logit_bias")).isFalse();
    assertThat(up.containsKey("user")).isFalse();
    assertThat(up.containsKey("seed")).isFalse();
    assertThat(up.getInteger("random_seed")).isEqualTo(7);
    assertThat(up.getInteger("max_tokens")).isEqualTo(50);
    assertThat(sse.text()).isEqualTo("Hello there!");
    assertThat(sse.usageChunks()).hasSize(1);
    assertThat(sse.last().getJsonArray("choices")).isEmpty();
    assertThat(sse.last().getJsonObject("usage").getInteger("total_tokens")).isEqualTo(12);
    assertThat(sse.finishReasons()).containsExactly("stop");
  }

  /** A conversation with tool calls whose ids came from other providers, plus one already in Mistral's shape. */
  private static JsonObject toolConversation(String model) {
    JsonObject body = GatewayFixture.weather(model);
    body.getJsonArray("messages")
      .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray()
        .add(toolCall("call_Xy12_abc", "Lyon")).add(toolCall("toolu_01A", "Nice")).add(toolCall("abcDEF123", "Pau"))))
      .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_Xy12_abc").put("content", "18C"))
      .add(new JsonObject().put("role", "tool").put("tool_call_id", "toolu_01A").put("content", "21C"))
      .add(new JsonObject().put("role", "tool").put("tool_call_id", "abcDEF123").put("content", "15C"))
      .add(new JsonObject().put("role", "user").put("content", "And Paris?"));
    return body;
  }

  private static JsonObject toolCall(String id, String city) {
    return new JsonObject().put("id", id).put("type", "function").put("function",
      new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"" + city + "\"}"));
  }

  @Test
  void mistralGetsToolCallIdsInItsShapeConsistentlyAndOthersGetThemAsSent() {
    // the fake refuses ids that are not nine letters and digits, as Mistral does
    f.chat(toolConversation("mistral-large-latest")).expect(200);
    JsonArray msgs = f.fake.last().body().getJsonArray("messages");
    JsonArray calls = msgs.getJsonObject(2).getJsonArray("tool_calls");
    java.util.List<String> ids = calls.stream().map(c -> ((JsonObject) c).getString("id")).toList();
    assertThat(ids).allSatisfy(id -> assertThat(id).matches("[a-zA-Z0-9]{9}")).doesNotHaveDuplicates();
    assertThat(ids.get(2)).isEqualTo("abcDEF123");
    assertThat(java.util.List.of(msgs.getJsonObject(3).getString("tool_call_id"),
      msgs.getJsonObject(4).getString("tool_call_id"), msgs.getJsonObject(5).getString("tool_call_id")))
      .isEqualTo(ids);
    assertThat(calls.getJsonObject(0).getJsonObject("function").getString("arguments")).contains("Lyon");

    // the same conversation later maps the same way, and the streamed path too
    f.chat(toolConversation("mistral-small-latest").put("stream", true)).expect(200);
    assertThat(f.fake.last().body().getJsonArray("messages").getJsonObject(2).getJsonArray("tool_calls").stream()
      .map(c -> ((JsonObject) c).getString("id")).toList()).isEqualTo(ids);

    f.chat(toolConversation("gpt-4o")).expect(200);
    assertThat(f.fake.last().body().getJsonArray("messages")).isEqualTo(toolConversation("gpt-4o").getJsonArray("messages"));
  }

  @Test
  void theDeveloperRoleIsSystemForUpstreamsThatDoNotKnowIt() {
    for (String model : new String[]{"mistral-small-latest", "ollama/llama3"}) {
      f.chat(GatewayFixture.weather(model)).expect(200);
      assertThat(f.fake.last().body().getJsonArray("messages").getJsonObject(0).getString("role")).as(model)
        .isEqualTo("system");
    }
    f.chat(GatewayFixture.weather("gpt-4o")).expect(200);
    assertThat(f.fake.last().body().getJsonArray("messages").getJsonObject(0).getString("role")).isEqualTo("developer");
  }

  @Test
  void multipleChoicesAreRefusedWhereTheUpstreamHasNone() {
    for (String model : new String[]{"command-r", "ollama/llama3"}) {
      int before = f.fake.seen.size();
      Api.Resp r = f.chat(GatewayFixture.hello(model).put("n", 2)).expect(400);
      assertThat(r.error().getString("code")).as(model).isEqualTo("unsupported_parameter");
      assertThat(r.error().getString("param")).isEqualTo("n");
      assertThat(f.fake.seen.size()).as(model).isEqualTo(before);
    }
    f.chat(GatewayFixture.hello("mistral-small-latest").put("n", 2)).expect(200);
    assertThat(f.fake.last().body().getInteger("n")).isEqualTo(2);
  }

  // ---------------- what the upstream answers besides the body ----------------

  @Test
  void upstreamResponseHeadersNeverReachTheClient() {
    for (JsonObject body : new JsonObject[]{GatewayFixture.hello("gpt-4o"), streamed(GatewayFixture.hello("gpt-4o"), true),
      GatewayFixture.hello("claude-haiku-4-5"), streamed(GatewayFixture.hello("claude-haiku-4-5"), false),
      GatewayFixture.hello("mistral-small-latest"), GatewayFixture.hello("gpt-4o-err400")}) {
      Api.Resp r = f.chat(body);
      String what = body.getString("model") + (body.containsKey("stream") ? " streamed" : "");
      assertThat(f.fake.last().body().getString("model")).isEqualTo(body.getString("model"));
      for (String leak : new String[]{"set-cookie", "openai-organization", "anthropic-organization-id", "request-id",
        "openai-processing-ms", "anthropic-ratelimit-requests-remaining"}) {
        assertThat(r.header(leak)).as(what + " " + leak).isNull();
      }
      assertThat(r.header("x-request-id")).as(what).isNotBlank().isNotEqualTo("req_upstream_1");
      // our own rate-limit headers, not the upstream's counters
      assertThat(r.header("x-ratelimit-remaining-requests")).as(what).isNotBlank()
        .isNotEqualTo(FakeProviders.UPSTREAM_RATE_REMAINING);
      assertThat(r.header("x-ratelimit-limit-requests")).as(what).isNotBlank().isNotEqualTo("5000");
      assertThat(r.header("x-ratelimit-reset-requests")).as(what).isNotEqualTo("12ms");
    }
  }

  @Test
  void ollamaNeedsNoKey() {
    f.chat(GatewayFixture.hello("ollama/llama3")).expect(200);
    assertThat(f.fake.last().headers().get("authorization")).isNull();
    assertThat(f.fake.last().body().getString("model")).isEqualTo("llama3");
  }

  // ---------------- Anthropic ----------------

  @Test
  void anthropicRequestAndResponseAreTranslated() {
    JsonObject body = GatewayFixture.weather("claude-sonnet-4-5").put("temperature", 0.7).put("stop", "END")
      .put("user", "end-user-1").put("parallel_tool_calls", false);
    body.getJsonArray("messages")
      .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray().add(
        new JsonObject().put("id", "toolu_0").put("type", "function").put("function",
          new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"Lyon\"}")))))
      .add(new JsonObject().put("role", "tool").put("tool_call_id", "toolu_0").put("content", "18C"))
      .add(new JsonObject().put("role", "user").put("content", new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "And Paris?"))
        .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "data:image/png;base64,AAAA")))));
    JsonObject json = f.chat(body).expect(200).json();

    FakeProviders.Seen seen = f.fake.last();
    assertThat(seen.path()).isEqualTo("/v1/messages");
    assertThat(seen.headers().get("x-api-key")).isEqualTo(FakeProviders.ANTHROPIC_KEY);
    assertThat(seen.headers().get("authorization")).isNull();
    JsonObject up = seen.body();
    assertThat(up.getString("system")).isEqualTo("Use tools.");
    assertThat(up.getInteger("max_tokens")).isEqualTo(4096);
    assertThat(up.getDouble("temperature")).isEqualTo(0.7);
    assertThat(up.getJsonArray("stop_sequences")).containsExactly("END");
    assertThat(up.getJsonObject("metadata").getString("user_id")).isEqualTo("end-user-1");
    assertThat(up.getJsonArray("tools").getJsonObject(0).getJsonObject("input_schema").getString("type")).isEqualTo("object");
    assertThat(up.getJsonObject("tool_choice")).isEqualTo(new JsonObject().put("type", "auto").put("disable_parallel_tool_use", true));
    JsonArray msgs = up.getJsonArray("messages");
    assertThat(msgs.stream().map(m -> ((JsonObject) m).getString("role"))).containsExactly("user", "assistant", "user");
    assertThat(msgs.getJsonObject(1).getJsonArray("content").getJsonObject(0).getJsonObject("input").getString("city")).isEqualTo("Lyon");
    JsonArray lastTurn = msgs.getJsonObject(2).getJsonArray("content");
    assertThat(lastTurn.getJsonObject(0).getString("type")).isEqualTo("tool_result");
    assertThat(lastTurn.getJsonObject(0).getString("tool_use_id")).isEqualTo("toolu_0");
    assertThat(lastTurn.getJsonObject(2).getJsonObject("source").getString("type")).isEqualTo("base64");

    JsonObject choice = json.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("Hello there!");
    assertThat(json.getString("model")).isEqualTo("claude-sonnet-4-5");
    assertThat(json.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(128);
    assertThat(json.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(42);
    assertThat(json.getJsonObject("usage").getJsonObject("prompt_tokens_details").getInteger("cached_tokens")).isEqualTo(8);
  }

  @Test
  void claudeModelsNewerThanOpus46GetNoSamplingSettingsOthersGetThem() {
    for (String model : new String[]{"claude-opus-4-7", "anthropic/claude-sonnet-5", "claude-haiku-5-20270101"}) {
      f.chat(GatewayFixture.hello(model).put("temperature", 0.2).put("top_p", 0.5)).expect(200);
      JsonObject up = f.fake.last().body();
      assertThat(up.containsKey("temperature")).as(model).isFalse();
      assertThat(up.containsKey("top_p")).as(model).isFalse();
      assertThat(up.containsKey("top_k")).as(model).isFalse();
    }
    for (String model : new String[]{"claude-opus-4-1", "claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-3-5-sonnet-20241022"}) {
      f.chat(GatewayFixture.hello(model).put("temperature", 0.4).put("top_p", 0.5)).expect(200);
      JsonObject up = f.fake.last().body();
      assertThat(up.getDouble("temperature")).as(model).isEqualTo(0.4);
      assertThat(up.getDouble("top_p")).as(model).isEqualTo(0.5);
    }
  }

  @Test
  void anthropicToolUseAnswerBecomesToolCalls() {
    JsonObject json = f.chat(GatewayFixture.weather("claude-tools")).expect(200).json();
    JsonObject choice = json.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getString("id")).isEqualTo("toolu_01A");
    assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")).getString("city")).isEqualTo("Paris");
  }

  @Test
  void anthropicStreamIsTranslatedChunkByChunk() {
    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.hello("claude-haiku-4-5"), true)).expect(200).text());
    assertThat(sse.chunks().get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role"))
      .isEqualTo("assistant");
    assertThat(sse.text()).isEqualTo("Hello there!");
    assertThat(sse.finishReasons()).containsExactly("stop");
    assertThat(sse.usageChunks()).hasSize(1);
    assertThat(sse.usageChunks().get(0).getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(120);
    assertThat(sse.usageChunks().get(0).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(42);
    assertThat(sse.chunks().stream().map(c -> c.getString("id")).distinct()).hasSize(1);
    assertThat(sse.endsWithDone()).isTrue();
  }

  @Test
  void anthropicToolStreamBecomesToolCallDeltas() {
    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.weather("claude-tools"), false)).expect(200).text());
    JsonObject first = sse.firstToolCall();
    assertThat(first.getInteger("index")).isEqualTo(0);
    assertThat(first.getString("id")).isEqualTo("toolu_01A");
    assertThat(first.getString("type")).isEqualTo("function");
    assertThat(first.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(sse.toolArguments(0)).getString("city")).isEqualTo("Paris");
    assertThat(sse.text()).isEqualTo("Checking.");
    assertThat(sse.finishReasons()).containsExactly("tool_calls");
    assertThat(sse.usageChunks()).isEmpty();
  }

  @Test
  void anthropicRefusesMultipleChoicesWithoutCallingUpstream() {
    int before = f.fake.seen.size();
    Api.Resp r = f.chat(GatewayFixture.hello("claude-haiku-4-5").put("n", 2)).expect(400);
    assertThat(r.error().getString("code")).isEqualTo("unsupported_parameter");
    assertThat(r.error().getString("param")).isEqualTo("n");
    assertThat(f.fake.seen.size()).isEqualTo(before);
  }

  // ---------------- Gemini ----------------

  @Test
  void geminiKeyTravelsInTheHeaderAndTheRequestIsTranslated() {
    JsonObject body = GatewayFixture.weather("gemini-2.5-flash").put("max_tokens", 100).put("top_p", 0.5)
      .put("response_format", new JsonObject().put("type", "json_object"));
    JsonObject json = f.chat(body).expect(200).json();
    FakeProviders.Seen seen = f.fake.last();
    assertThat(seen.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(seen.query()).isNull();
    assertThat(seen.headers().get("x-goog-api-key")).isEqualTo(FakeProviders.GOOGLE_KEY);
    JsonObject up = seen.body();
    assertThat(up.getJsonObject("systemInstruction").getJsonArray("parts").getJsonObject(0).getString("text")).isEqualTo("Use tools.");
    assertThat(up.getJsonArray("contents").getJsonObject(0).getString("role")).isEqualTo("user");
    assertThat(up.getJsonObject("generationConfig").getInteger("maxOutputTokens")).isEqualTo(100);
    assertThat(up.getJsonObject("generationConfig").getDouble("topP")).isEqualTo(0.5);
    assertThat(up.getJsonObject("generationConfig").getString("responseMimeType")).isEqualTo("application/json");
    assertThat(up.getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations").getJsonObject(0)
      .getJsonObject("parametersJsonSchema").getString("type")).isEqualTo("object");
    assertThat(up.getJsonObject("toolConfig").getJsonObject("functionCallingConfig").getString("mode")).isEqualTo("AUTO");
    assertThat(json.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")).isEqualTo("Hello there!");
    assertThat(json.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(14);
  }

  @Test
  void geminiFunctionCallGetsAnIdThatCarriesTheThoughtSignatureBack() {
    JsonObject json = f.chat(GatewayFixture.weather("gemini-tools")).expect(200).json();
    JsonObject choice = json.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    String id = call.getString("id");
    assertThat(id).startsWith("call_");

    JsonObject next = GatewayFixture.weather("gemini-2.5-flash");
    next.getJsonArray("messages")
      .add(new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", new JsonArray().add(call)))
      .add(new JsonObject().put("role", "tool").put("tool_call_id", id).put("content", "18C"));
    f.chat(next).expect(200);
    JsonArray contents = f.fake.last().body().getJsonArray("contents");
    JsonObject modelTurn = contents.getJsonObject(1);
    assertThat(modelTurn.getString("role")).isEqualTo("model");
    assertThat(modelTurn.getJsonArray("parts").getJsonObject(0).getString("thoughtSignature")).isEqualTo("sig-123");
    JsonObject response = contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0).getJsonObject("functionResponse");
    assertThat(response.getString("name")).isEqualTo("get_weather");
    assertThat(response.getJsonObject("response").getString("output")).isEqualTo("18C");
  }

  @Test
  void geminiStreamUsesSseAndTheLastChunksUsage() {
    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.hello("gemini-2.5-pro"), true)).expect(200).text());
    assertThat(f.fake.last().path()).isEqualTo("/v1beta/models/gemini-2.5-pro:streamGenerateContent");
    assertThat(f.fake.last().query()).isEqualTo("alt=sse");
    assertThat(sse.text()).isEqualTo("Hello there!");
    assertThat(sse.finishReasons()).containsExactly("stop");
    assertThat(sse.usageChunks()).hasSize(1);
    assertThat(sse.usageChunks().get(0).getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(11);
    assertThat(sse.usageChunks().get(0).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
  }

  @Test
  void geminiToolStream() {
    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.weather("gemini-tools"), false)).expect(200).text());
    assertThat(sse.firstToolCall().getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(sse.toolArguments(0)).getString("city")).isEqualTo("Paris");
    assertThat(sse.finishReasons()).containsExactly("tool_calls");
  }

  // ---------------- Cohere ----------------

  @Test
  void cohereRequestAndResponseAreTranslated() {
    JsonObject body = GatewayFixture.weather("command-r").put("top_p", 1.0).put("temperature", 0.5)
      .put("stop", new JsonArray().add("X")).put("tool_choice", "required");
    JsonObject json = f.chat(body).expect(200).json();
    FakeProviders.Seen seen = f.fake.last();
    assertThat(seen.path()).isEqualTo("/v2/chat");
    JsonObject up = seen.body();
    assertThat(up.getDouble("p")).isEqualTo(0.99);
    assertThat(up.getDouble("temperature")).isEqualTo(0.5);
    assertThat(up.getJsonArray("stop_sequences")).containsExactly("X");
    assertThat(up.getString("tool_choice")).isEqualTo("REQUIRED");
    assertThat(up.getJsonArray("messages").getJsonObject(0).getString("role")).isEqualTo("system");
    assertThat(json.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")).isEqualTo("Hello there!");
    assertThat(json.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(8);
  }

  @Test
  void cohereToolCallsBothWays() {
    JsonObject json = f.chat(GatewayFixture.weather("command-tools")).expect(200).json();
    JsonObject choice = json.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0).getString("id")).isEqualTo("get_weather_1");

    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.weather("command-tools"), true)).expect(200).text());
    assertThat(sse.firstToolCall().getString("id")).isEqualTo("get_weather_1");
    assertThat(new JsonObject(sse.toolArguments(0)).getString("city")).isEqualTo("Paris");
    assertThat(sse.finishReasons()).containsExactly("tool_calls");
    assertThat(sse.usageChunks().get(0).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
    assertThat(f.fake.last().headers().get("accept")).isEqualTo("text/event-stream");
  }

  @Test
  void cohereStream() {
    Sse sse = Sse.chat(f.chat(streamed(GatewayFixture.hello("command-r-plus"), false)).expect(200).text());
    assertThat(sse.text()).isEqualTo("Hello there!");
    assertThat(sse.finishReasons()).containsExactly("stop");
    assertThat(sse.endsWithDone()).isTrue();
  }
}
