package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Contract;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /v1/threads/{id}/messages with stream:true: the chunks (checked against the contract's
 * event schema), what is stored and billed for complete, abandoned and failed streams, rotation.
 */
class ThreadChatStreamApiTest {

  private static GatewayFixture f;
  private static Validator chunkSchema;

  @BeforeAll
  static void start() throws Exception {
    f = new GatewayFixture("CHRYSALIS_THREAD_MAX_MESSAGES", "4");
    chunkSchema = Contract.eventStream("sendThreadMessage");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String thread(Users.Registered user, String title) {
    return f.api.call("createThread").bearer(user.token()).body(new JsonObject().put("title", title)).send()
      .expect(201).json().getString("id");
  }

  /** Streams are checked event by event against the contract's text/event-stream schema (checkedSse). */
  private static Api.Resp stream(Users.Registered user, String threadId, JsonObject body) {
    return f.api.raw("POST", "/v1/threads/" + threadId + "/messages").bearer(user.token())
      .body(body.put("stream", true)).send();
  }

  private static JsonArray messages(Users.Registered user, String sessionId) {
    return f.api.call("getSession").path("id", sessionId).bearer(user.token()).send().expect(200).json()
      .getJsonArray("messages");
  }

  private static Sse checkedSse(Api.Resp r) {
    assertThat(r.header("content-type")).startsWith("text/event-stream");
    Sse sse = new Sse(r.text());
    for (JsonObject chunk : sse.chunks()) {
      assertThat(chunkSchema.validate(chunk).getValid()).as("contract accepts " + chunk.encode()).isTrue();
    }
    return sse;
  }

  @Test
  void streamsTheAnswerAndStoresItBeforeDone() throws Exception {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Streaming");
    Api.Resp r = stream(user, threadId, new JsonObject().put("content", "Hi there").put("model", "claude-haiku-4-5"))
      .expect(200);
    Sse sse = checkedSse(r);
    assertThat(sse.text()).isEqualTo("Hello there!");
    assertThat(sse.finishReasons()).containsExactly("stop");
    assertThat(sse.endsWithDone()).isTrue();
    assertThat(sse.chunks().stream().map(c -> c.getString("id")).distinct()).hasSize(1);
    JsonObject last = sse.last();
    assertThat(last.getJsonArray("choices")).isEmpty();
    assertThat(last.getString("thread_id")).isEqualTo(threadId).isEqualTo(r.header("x-thread-id"));
    String sessionId = last.getString("session_id");
    assertThat(sessionId).isNotBlank().isEqualTo(r.header("x-session-id"));
    assertThat(last.getJsonObject("usage").getLong("prompt_tokens")).isEqualTo(120L);
    assertThat(last.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(42L);

    // stored before [DONE]: read at once, no waiting
    JsonArray stored = messages(user, sessionId);
    assertThat(stored).hasSize(2);
    JsonObject question = stored.getJsonObject(0);
    JsonObject answer = stored.getJsonObject(1);
    assertThat(question.getString("role")).isEqualTo("user");
    assertThat(question.getString("content")).isEqualTo("Hi there");
    assertThat(question.getLong("tokens_in")).isEqualTo(120L);
    assertThat(answer.getString("role")).isEqualTo("assistant");
    assertThat(answer.getString("content")).isEqualTo("Hello there!");
    assertThat(answer.getLong("tokens_out")).isEqualTo(42L);
    // catalog price of claude-haiku-4-5: $1 in, $5 out per million tokens
    assertThat(answer.getDouble("cost_usd")).isEqualTo((120 * 1.0 + 42 * 5.0) / 1_000_000);
    assertThat(answer.getString("model")).isEqualTo("claude-haiku-4-5");

    JsonObject row = f.waitForUsage(user.id(), r.header("x-request-id"));
    assertThat(row.getLong("input_tokens")).isEqualTo(120L);
    assertThat(row.getLong("output_tokens")).isEqualTo(42L);
    assertThat(row.getBoolean("estimated")).isFalse();
    assertThat(row.getString("session_id")).isEqualTo(sessionId);

    // the next message (streamed or not) is prompted with this exchange
    Sse second = checkedSse(stream(user, threadId, new JsonObject().put("content", "And now?")).expect(200));
    assertThat(second.last().getString("session_id")).isEqualTo(sessionId);
    JsonArray upstream = f.fake.seen.stream().map(FakeProviders.Seen::body)
      .map(b -> b.getJsonArray("messages", new JsonArray()))
      .filter(m -> !m.isEmpty() && "And now?".equals(m.getJsonObject(m.size() - 1).getString("content")))
      .findFirst().orElseThrow();
    assertThat(upstream.stream().map(m -> ((JsonObject) m).getString("content")).toList())
      .containsSubsequence("Hi there", "Hello there!", "And now?");
  }

  @Test
  void aClientThatLeavesMidStreamCancelsTheUpstreamAndWhatWasStreamedIsStoredAndBilled() throws Exception {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Abandoned");
    int before = f.fake.closedEarly.get();
    String requestId = "thread-disconnect-" + System.nanoTime();
    // the fake streams "Hel" a thousand times, one event every 20 ms, and reports usage only at the end
    String body = new JsonObject().put("content", "Tell me a long story").put("model", "gpt-4o-drip")
      .put("stream", true).encode();
    URI base = URI.create(f.api.baseUrl());
    String head;
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/threads/" + threadId + "/messages HTTP/1.1\r\nHost: " + base.getHost()
        + "\r\nX-Request-Id: " + requestId + "\r\nAuthorization: Bearer " + user.token()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      StringBuilder seen = new StringBuilder();
      while (count(seen.toString(), "\"content\":\"Hel\"") < 3) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      head = seen.toString();
    }
    assertThat(head).startsWith("HTTP/1.1 200").contains("data: ").doesNotContain("[DONE]");
    Matcher m = Pattern.compile("(?i)x-session-id: *(\\S+)").matcher(head);
    assertThat(m.find()).as("x-session-id header in " + head).isTrue();
    String sessionId = m.group(1);

    long deadline = System.currentTimeMillis() + 10_000;
    while (f.fake.closedEarly.get() == before && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(f.fake.closedEarly.get()).as("upstream request cancelled").isGreaterThan(before);

    JsonArray stored = messages(user, sessionId);
    while (stored.size() < 2 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      stored = messages(user, sessionId);
    }
    assertThat(stored).hasSize(2);
    assertThat(stored.getJsonObject(0).getString("content")).isEqualTo("Tell me a long story");
    String partial = stored.getJsonObject(1).getString("content");
    assertThat(partial).matches("(Hel)+");
    assertThat(partial.length()).isLessThan(3 * 1000);
    long tokensOut = stored.getJsonObject(1).getLong("tokens_out");
    assertThat(tokensOut).isEqualTo(Usage.estimateTokens(partial.length()));

    JsonObject row = f.waitForUsage(user.id(), requestId);
    assertThat(row).isNotNull();
    assertThat(row.getBoolean("estimated")).as("the upstream never reported usage").isTrue();
    assertThat(row.getLong("output_tokens")).isEqualTo(tokensOut);
    assertThat(row.getLong("input_tokens")).isPositive().isEqualTo(stored.getJsonObject(0).getLong("tokens_in"));
    assertThat(row.getString("session_id")).isEqualTo(sessionId);
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void aFullSessionIsRotatedWhenStreamingToo() throws Exception {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Long streamed talk");
    String s1 = checkedSse(stream(user, threadId, new JsonObject().put("content", "one")).expect(200)).last()
      .getString("session_id");
    assertThat(checkedSse(stream(user, threadId, new JsonObject().put("content", "two")).expect(200)).last()
      .getString("session_id")).isEqualTo(s1);
    // the fourth stored message triggers the rotation, after the answer
    String summary = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (summary == null && System.currentTimeMillis() < deadline) {
      summary = f.api.call("getThread").path("id", threadId).bearer(user.token()).send().expect(200).json()
        .getString("summary");
      Thread.sleep(50);
    }
    assertThat(summary).isEqualTo("Hello there!");
    Api.Resp third = stream(user, threadId, new JsonObject().put("content", "three")).expect(200);
    String s2 = checkedSse(third).last().getString("session_id");
    assertThat(s2).isNotEqualTo(s1).isEqualTo(third.header("x-session-id"));
    assertThat(f.fake.last().body().getJsonArray("messages").getJsonObject(0).getString("content"))
      .contains("Summary of the thread so far:\nHello there!");
    assertThat(messages(user, s2)).hasSize(2);
    assertThat(messages(user, s1)).hasSize(4);
  }

  @Test
  void anUpstreamErrorBeforeTheFirstByteIsAJsonErrorAndStoresNothingLikeWithoutStreaming() throws Exception {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Failing");
    Api.Resp streamed = stream(user, threadId, new JsonObject().put("content", "x").put("model", "gpt-4o-err500"))
      .expect(502);
    assertThat(streamed.header("content-type")).startsWith("application/json");
    assertThat(streamed.error().getString("code")).isEqualTo("upstream_error");
    Api.Resp plain = f.api.call("sendThreadMessage").path("id", threadId).bearer(user.token())
      .body(new JsonObject().put("content", "x").put("model", "gpt-4o-err500")).send().expect(502);
    assertThat(plain.error().getString("code")).isEqualTo("upstream_error");

    Api.Resp limited = stream(user, threadId, new JsonObject().put("content", "x").put("model", "gpt-4o-err429"))
      .expect(429);
    assertThat(limited.header("retry-after")).isEqualTo("7");

    // the session was opened (as without streaming) but holds nothing, and nothing was billed
    String sessionId = streamed.header("x-session-id");
    assertThat(sessionId).isNotBlank();
    assertThat(messages(user, sessionId)).isEmpty();
    assertThat(f.usageRow(user.id(), streamed.header("x-request-id"))).isNull();
    assertThat(f.usageRow(user.id(), limited.header("x-request-id"))).isNull();
  }

  @Test
  void anUpstreamFailureMidStreamEndsWithAnErrorEventAndKeepsWhatWasStreamed() throws Exception {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Broken");
    Api.Resp r = stream(user, threadId, new JsonObject().put("content", "x").put("model", "gpt-4o-midstream"))
      .expect(200);
    Sse sse = new Sse(r.text());
    assertThat(sse.endsWithDone()).isFalse();
    assertThat(sse.last().getJsonObject("error").getString("type")).isIn("upstream_error", "server_error");
    assertThat(sse.text()).isEqualTo("Hel");
    JsonArray stored = messages(user, r.header("x-session-id"));
    assertThat(stored).hasSize(2);
    assertThat(stored.getJsonObject(1).getString("content")).isEqualTo("Hel");
    JsonObject row = f.waitForUsage(user.id(), r.header("x-request-id"));
    assertThat(row.getBoolean("estimated")).isTrue();
    assertThat(row.getLong("output_tokens")).isEqualTo(stored.getJsonObject(1).getLong("tokens_out"));
  }

  @Test
  void aStreamThatBreaksBeforeAnyTextStoresNothingButIsBilled() throws Exception {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Cut early");
    // the fake Anthropic stream drops the connection after message_start and content_block_start
    Api.Resp r = stream(user, threadId, new JsonObject().put("content", "x").put("model", "claude-cut")).expect(200);
    Sse sse = new Sse(r.text());
    assertThat(sse.text()).isEmpty();
    assertThat(sse.endsWithDone()).isFalse();
    assertThat(sse.last().getJsonObject("error").getString("code")).isEqualTo("upstream_stream_broken");
    assertThat(messages(user, r.header("x-session-id"))).isEmpty();
    JsonObject row = f.waitForUsage(user.id(), r.header("x-request-id"));
    assertThat(row.getLong("input_tokens")).as("the upstream's own prompt count from message_start").isEqualTo(120L);
    assertThat(row.getBoolean("estimated")).isTrue();
  }

  @Test
  void refusalsAreJsonErrorsAndCallNoUpstream() {
    Users.Registered user = Users.register(f.api);
    Users.Registered other = Users.register(f.api);
    String threadId = thread(user, "Private");
    int before = f.fake.seen.size();
    assertThat(stream(other, threadId, new JsonObject().put("content", "peek")).expect(404).error()).isNotNull();
    assertThat(stream(user, threadId, new JsonObject().put("content", "x").put("model", "llama-unknown")).expect(404)
      .error().getString("code")).isEqualTo("model_not_found");
    assertThat(stream(user, threadId, new JsonObject().put("content", "x").put("context_node_id", "ctx_nope"))
      .expect(404).error().getString("code")).isEqualTo("context_not_found");
    assertThat(f.fake.seen.size()).isEqualTo(before);
  }
}
