package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Upstream trouble, bad input, disconnects and the model endpoints. */
class GatewayErrorsApiTest {

  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static void noSecrets(Api.Resp r) {
    assertThat(r.text()).doesNotContain("sk-live-").doesNotContain(FakeProviders.OPENAI_KEY)
      .doesNotContain(FakeProviders.GOOGLE_KEY).doesNotContain("127.0.0.1").doesNotContain("https://");
  }

  // ---------------- upstream errors, every format ----------------

  @ParameterizedTest
  @ValueSource(strings = {"gpt-4o-err400", "claude-err400", "gemini-err400", "command-err400"})
  void upstream400IsA400WithTheUpstreamMessageRedacted(String model) {
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(400);
    assertThat(r.error().getString("code")).isEqualTo("upstream_rejected");
    assertThat(r.error().getString("message")).contains("Upstream says 400").contains("[redacted]");
    noSecrets(r);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-4o-err401", "claude-err401", "command-err401"})
  void upstream401OnTheServiceKeyIsA502(String model) {
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(502);
    assertThat(r.error().getString("code")).isEqualTo("upstream_auth_failed");
    assertThat(r.error().getString("type")).isEqualTo("upstream_error");
    assertThat(r.header("x-should-retry")).isEqualTo("false");
    noSecrets(r);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-4o-err429", "claude-err429", "gemini-err429", "command-err429"})
  void upstream429IsA429WithItsRetryAfter(String model) {
    long before = f.fake.calls(model);
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(429);
    assertThat(r.error().getString("code")).isEqualTo("upstream_rate_limited");
    assertThat(r.header("retry-after")).isEqualTo("7");
    assertThat(r.error().getInteger("retry_after")).isEqualTo(7);
    // 7 s is more than this app waits before a retry (5 s): answered at once
    assertThat(f.fake.calls(model) - before).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-4o-err500", "claude-err500", "gemini-err500", "command-err500"})
  void upstream500IsA502(String model) {
    long before = f.fake.calls(model);
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(502);
    assertThat(r.error().getString("code")).isEqualTo("upstream_error");
    noSecrets(r);
    // the first try and two retries (GatewayRetryApiTest has the rest)
    assertThat(f.fake.calls(model) - before).isEqualTo(3);
  }

  @Test
  void upstream503IsA503WithRetryAfterAnd404IsModelNotFound() {
    Api.Resp r = f.chat(GatewayFixture.hello("gpt-4o-err503")).expect(503);
    assertThat(r.error().getString("code")).isEqualTo("upstream_unavailable");
    assertThat(r.header("retry-after")).isNotBlank();
    Api.Resp nf = f.chat(GatewayFixture.hello("gpt-4o-err404")).expect(404);
    assertThat(nf.error().getString("code")).isEqualTo("model_not_found");
  }

  @Test
  void streamedRequestsGetTheSameErrorsBeforeTheStreamBegins() {
    Api.Resp r = f.chat(GatewayFixture.hello("claude-err429").put("stream", true)).expect(429);
    assertThat(r.header("content-type")).startsWith("application/json");
    assertThat(r.error().getString("code")).isEqualTo("upstream_rate_limited");
  }

  @Test
  void slowFirstByteIsA504() {
    Api.Resp r = f.chat(GatewayFixture.hello("gpt-4o-slow")).expect(504);
    assertThat(r.error().getString("code")).isEqualTo("upstream_timeout");
    Api.Resp s = f.chat(GatewayFixture.hello("claude-slow").put("stream", true)).expect(504);
    assertThat(s.error().getString("code")).isEqualTo("upstream_timeout");
  }

  @Test
  void unreachableUpstreamIsA502() {
    Api.Resp r = f.chat(GatewayFixture.hello("vllm/some-model")).expect(502);
    assertThat(r.error().getString("code")).isEqualTo("upstream_unreachable");
    noSecrets(r);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-4o-cut", "claude-cut", "gemini-cut", "command-cut"})
  void connectionCutMidStreamEndsWithAnErrorEvent(String model) {
    Api.Resp r = f.chat(GatewayFixture.hello(model).put("stream", true)).expect(200);
    Sse sse = Sse.chat(r.text());
    assertThat(sse.endsWithDone()).isFalse();
    JsonObject error = sse.last().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("upstream_stream_broken");
    assertThat(error.getString("message")).isNotBlank();
    assertThat(r.text()).endsWith("\n\n");
  }

  @Test
  void silentStreamTimesOutWithAnErrorEvent() {
    Sse sse = Sse.chat(f.chat(GatewayFixture.hello("gpt-4o-hang").put("stream", true)).expect(200).text());
    assertThat(sse.last().getJsonObject("error").getString("code")).isEqualTo("upstream_timeout");
  }

  @Test
  void errorEventsFromTheUpstreamStreamArePassedOnInOurShape() {
    for (String model : new String[]{"gpt-4o-midstream", "claude-midstream"}) {
      Sse sse = Sse.chat(f.chat(GatewayFixture.hello(model).put("stream", true)).expect(200).text());
      JsonObject error = sse.last().getJsonObject("error");
      assertThat(error).as(model).isNotNull();
      assertThat(error.getString("type")).isIn("upstream_error", "server_error");
      assertThat(sse.endsWithDone()).isFalse();
    }
  }

  // ---------------- client disconnect ----------------

  @Test
  void clientDisconnectCancelsTheUpstreamAtOnce() throws Exception {
    int before = f.fake.closedEarly.get();
    String requestId = "disconnect-" + System.nanoTime();
    String body = GatewayFixture.hello("gpt-4o-drip").put("stream", true).encode();
    URIParts u = new URIParts(f.api.baseUrl());
    try (Socket s = new Socket(u.host, u.port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + u.host + "\r\nX-Request-Id: " + requestId
        + "\r\nAuthorization: Bearer " + f.user.token()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      StringBuilder seen = new StringBuilder();
      // leave after the first text chunk, while the drip has about 20 s to go ("lo " only comes after it)
      while (!seen.toString().contains("\"content\":\"Hel\"")) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(seen.toString()).contains("data: ");
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (f.fake.closedEarly.get() == before && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(f.fake.closedEarly.get()).isGreaterThan(before);
    // what was produced is billed: an estimate, since the usage chunk never came
    JsonObject usage = f.waitForUsage(f.user.id(), requestId);
    assertThat(usage).isNotNull();
    assertThat(usage.getLong("input_tokens")).isPositive();
    assertThat(usage.getLong("output_tokens")).isPositive();
    assertThat(usage.getBoolean("estimated")).isTrue();
  }

  private record URIParts(String host, int port) {
    URIParts(String base) {
      this(java.net.URI.create(base).getHost(), java.net.URI.create(base).getPort());
    }
  }

  // ---------------- bad input: clear 4xx, no upstream call ----------------

  private void rejected(JsonObject body, int status, String code, String param) {
    int before = f.fake.seen.size();
    Api.Resp r = f.chat(body).expect(status);
    assertThat(r.error().getString("code")).as(body.encode()).isEqualTo(code);
    if (param != null) {
      assertThat(r.error().getString("param")).isEqualTo(param);
    }
    assertThat(f.fake.seen.size()).as("upstream calls").isEqualTo(before);
  }

  @Test
  void badBodiesAreRejectedBeforeAnyUpstreamCall() {
    rejected(new JsonObject().put("model", "gpt-4o"), 400, "invalid_request", "messages");
    rejected(new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()), 400, "invalid_request", null);
    rejected(GatewayFixture.hello("gpt-4o").put("temperature", 3), 400, "invalid_request", "temperature");
    rejected(GatewayFixture.hello("gpt-4o").put("n", 0), 400, "invalid_request", "n");
    rejected(GatewayFixture.hello("gpt-4o").put("stream", "yes"), 400, "invalid_request", "stream");
    JsonObject badRole = new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()
      .add(new JsonObject().put("role", "wizard").put("content", "hi")));
    rejected(badRole, 400, "invalid_request", "messages[0].role");
    JsonObject noContent = new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user")));
    rejected(noContent, 400, "invalid_request", "messages[0].content");
    JsonObject badPart = new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "video")))));
    rejected(badPart, 400, "invalid_request", "messages[0].content[0].type");
    JsonObject toolNoId = new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()
      .add(new JsonObject().put("role", "tool").put("content", "x")));
    rejected(toolNoId, 400, "invalid_request", "messages[0].tool_call_id");
    rejected(GatewayFixture.hello("gpt-4o").put("stream_options", new JsonObject().put("include_usage", true)),
      400, "invalid_request", "stream_options");
    JsonObject badArgs = new JsonObject().put("model", "claude-haiku-4-5").put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "hi"))
      .add(new JsonObject().put("role", "assistant").put("tool_calls", new JsonArray().add(new JsonObject()
        .put("id", "c1").put("type", "function").put("function", new JsonObject().put("name", "f").put("arguments", "not json"))))));
    rejected(badArgs, 400, "invalid_tool_arguments", null);
    rejected(GatewayFixture.hello("gpt-4o").put("tools", new JsonArray().add(new JsonObject().put("type", "function")
      .put("function", new JsonObject().put("description", "no name")))), 400, "invalid_request", "tools[0].function.name");
    rejected(GatewayFixture.hello("gpt-4o").put("tool_choice", "sometimes"), 400, "invalid_request", "tool_choice");
  }

  @Test
  void unknownModelIs404AndMissingKeyIs400() {
    rejected(GatewayFixture.hello("llama-unknown"), 404, "model_not_found", "model");
    rejected(GatewayFixture.hello("nosuch/provider-model"), 404, "model_not_found", "model");
    rejected(GatewayFixture.hello("custom/whatever"), 400, "provider_key_missing", null);
  }

  @Test
  void missingModelUsesTheDefault() {
    JsonObject body = GatewayFixture.hello("x");
    body.remove("model");
    f.chat(body).expect(200);
    assertThat(f.fake.last().body().getString("model")).isEqualTo("gpt-4o-mini");
  }

  @Test
  void authAndScopeAreRequired() {
    Api.Resp anon = f.api.call("createChatCompletion").body(GatewayFixture.hello("gpt-4o")).send().expect(401);
    assertThat(anon.error().getString("type")).isEqualTo("authentication_error");
    String readOnly = Users.apiKey(f.api, f.user, "read");
    int before = f.fake.seen.size();
    f.api.call("createChatCompletion").bearer(readOnly).body(GatewayFixture.hello("gpt-4o")).send().expect(403);
    assertThat(f.fake.seen.size()).isEqualTo(before);
    String chatKey = Users.apiKey(f.api, f.user, "chat");
    f.api.call("createChatCompletion").header("x-api-key", chatKey).body(GatewayFixture.hello("gpt-4o")).send().expect(200);
    assertThat(f.fake.last().headers().get("x-api-key")).isNull();
    assertThat(f.fake.last().headers().get("authorization")).isEqualTo("Bearer " + FakeProviders.OPENAI_KEY);
  }

  // ---------------- models ----------------

  @Test
  void modelListMergesTheCatalogAndLiveLists() {
    JsonObject list = f.api.call("listModels").bearer(f.user.token()).send().expect(200).json();
    assertThat(list.getString("object")).isEqualTo("list");
    java.util.List<String> ids = list.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertThat(ids).contains("gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash", "command-r", "gpt-live-1",
      "text-embedding-live");
  }

  @Test
  void retrieveModelAndModelInfo() {
    JsonObject m = f.api.call("retrieveModel").path("id", "gpt-4o").bearer(f.user.token()).send().expect(200).json();
    assertThat(m.getString("object")).isEqualTo("model");
    assertThat(m.getString("provider")).isEqualTo("openai");
    assertThat(m.getString("tier")).isEqualTo("advanced");
    assertThat(m.getJsonObject("pricing").getDouble("input")).isEqualTo(2.5);
    JsonObject live = f.api.call("retrieveModel").path("id", "gpt-live-1").bearer(f.user.token()).send().expect(200).json();
    assertThat(live.getString("owned_by")).isEqualTo("system");
    JsonObject info = f.api.call("getModelInfo").path("model_name", "claude-haiku-4-5").bearer(f.user.token()).send()
      .expect(200).json();
    assertThat(info.getLong("context_window")).isEqualTo(200000L);
    Api.Resp nf = f.api.call("retrieveModel").path("id", "no-such-model").bearer(f.user.token()).send().expect(404);
    assertThat(nf.error().getString("code")).isEqualTo("model_not_found");
    f.api.call("getModelInfo").path("model_name", "no-such-model").bearer(f.user.token()).send().expect(404);
  }
}
