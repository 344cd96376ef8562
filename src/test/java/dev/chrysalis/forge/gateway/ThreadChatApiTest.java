package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /v1/threads/{id}/messages: prompt building, storage, rotation after 4 messages. */
class ThreadChatApiTest {

  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture("CHRYSALIS_THREAD_MAX_MESSAGES", "4");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String thread(Users.Registered user, String title) {
    return f.api.call("createThread").bearer(user.token()).body(new JsonObject().put("title", title)).send()
      .expect(201).json().getString("id");
  }

  private static Api.Resp send(Users.Registered user, String threadId, JsonObject body) {
    return f.api.call("sendThreadMessage").path("id", threadId).bearer(user.token()).body(body).send();
  }

  @Test
  void answersStoresAndSendsTheHistoryNextTime() {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Weather app");
    JsonObject first = send(user, threadId, new JsonObject().put("content", "Hi there").put("model", "claude-haiku-4-5"))
      .expect(200).json();
    assertThat(first.getString("thread_id")).isEqualTo(threadId);
    assertThat(first.getJsonObject("message").getString("content")).isEqualTo("Hello there!");
    assertThat(first.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(128);
    String sessionId = first.getString("session_id");

    JsonObject second = send(user, threadId, new JsonObject().put("content", "And now?")).expect(200).json();
    assertThat(second.getString("session_id")).isEqualTo(sessionId);
    // the rotation's summary call may reach the fake right after, so look the call up by its last message
    JsonArray upstream = f.fake.seen.stream().map(FakeProviders.Seen::body)
      .map(b -> b.getJsonArray("messages", new JsonArray()))
      .filter(m -> !m.isEmpty() && "And now?".equals(m.getJsonObject(m.size() - 1).getString("content")))
      .findFirst().orElseThrow();
    assertThat(upstream.getJsonObject(0).getString("role")).isEqualTo("system");
    assertThat(upstream.getJsonObject(0).getString("content")).contains("Weather app");
    assertThat(upstream.stream().map(m -> ((JsonObject) m).getString("content")).toList())
      .containsSubsequence("Hi there", "Hello there!", "And now?");

    JsonObject session = f.api.call("getSession").path("id", sessionId).bearer(user.token()).send().expect(200).json();
    assertThat(session.getJsonArray("messages").size()).isEqualTo(4);
    assertThat(session.getJsonArray("messages").getJsonObject(1).getString("role")).isEqualTo("assistant");
  }

  @Test
  void contextNodeGoesIntoThePrompt() {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Planner");
    String parent = f.api.call("addThreadContext").path("id", threadId).bearer(user.token())
      .body(new JsonObject().put("title", "Backend")).send().expect(201).json().getString("id");
    String node = f.api.call("addThreadContext").path("id", threadId).bearer(user.token())
      .body(new JsonObject().put("title", "Billing").put("body", "Use Autumn.").put("parent_id", parent)).send()
      .expect(201).json().getString("id");
    send(user, threadId, new JsonObject().put("content", "What next?").put("context_node_id", node)).expect(200);
    String system = f.fake.last().body().getJsonArray("messages").getJsonObject(0).getString("content");
    assertThat(system).contains("Backend / Billing").contains("Use Autumn.");

    int before = f.fake.seen.size();
    Api.Resp missing = send(user, threadId, new JsonObject().put("content", "x").put("context_node_id", "ctx_nope"))
      .expect(404);
    assertThat(missing.error().getString("code")).isEqualTo("context_not_found");
    assertThat(f.fake.seen.size()).isEqualTo(before);
  }

  @Test
  void aFullSessionIsSummarizedIntoTheThreadAndANewOneOpens() throws Exception {
    Users.Registered user = Users.register(f.api);
    String threadId = thread(user, "Long talk");
    String s1 = send(user, threadId, new JsonObject().put("content", "one")).expect(200).json().getString("session_id");
    assertThat(send(user, threadId, new JsonObject().put("content", "two")).expect(200).json().getString("session_id"))
      .isEqualTo(s1);
    // the fourth stored message triggers the rotation, after the answer
    String summary = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (summary == null && System.currentTimeMillis() < deadline) {
      summary = f.api.call("getThread").path("id", threadId).bearer(user.token()).send().expect(200).json()
        .getString("summary");
      Thread.sleep(50);
    }
    assertThat(summary).isEqualTo("Hello there!");
    JsonObject third = send(user, threadId, new JsonObject().put("content", "three")).expect(200).json();
    assertThat(third.getString("session_id")).isNotEqualTo(s1);
    assertThat(f.fake.last().body().getJsonArray("messages").getJsonObject(0).getString("content"))
      .contains("Summary of the thread so far:\nHello there!");
  }

  @Test
  void badRequestsChangeNothing() {
    Users.Registered user = Users.register(f.api);
    Users.Registered other = Users.register(f.api);
    String threadId = thread(user, "Private");
    int before = f.fake.seen.size();
    send(other, threadId, new JsonObject().put("content", "peek")).expect(404);
    send(user, "thr_missing", new JsonObject().put("content", "x")).expect(404);
    send(user, threadId, new JsonObject()).expect(400);
    send(user, threadId, new JsonObject().put("content", "x").put("mode", "yolo")).expect(400);
    send(user, threadId, new JsonObject().put("content", "x").put("stream", "yes")).expect(400);
    send(user, threadId, new JsonObject().put("content", "x").put("model", "llama-unknown")).expect(404);
    assertThat(f.fake.seen.size()).isEqualTo(before);
  }
}
