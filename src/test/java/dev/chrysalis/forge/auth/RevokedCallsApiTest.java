package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Suspension and logout reach calls already in progress: a suspended account's open streams (by
 * session token or API key) end at once with a final error event in our shape, their upstream
 * requests are cancelled and what they produced is billed; a logout ends the streams of its
 * session tokens but not those of the account's API keys; other users' streams go on. The fake
 * upstream speaks OpenAI's streaming format and holds each stream open until the test ends it.
 */
class RevokedCallsApiTest {

  private static final String ADMIN_EMAIL = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static Vertx vertx;
  private static HttpServer upstream;
  private static TestApp app;
  private static Api api;
  private static Users.Registered admin;
  /** Streams the fake holds open, by the last message's content. */
  private static final Map<String, HttpServerResponse> held = new ConcurrentHashMap<>();
  /** Contents whose upstream connection the gateway closed. */
  private static final Set<String> closed = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger requests = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      requests.incrementAndGet();
      JsonArray messages = body.toJsonObject().getJsonArray("messages");
      String content = messages.getJsonObject(messages.size() - 1).getString("content");
      HttpServerResponse res = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.connection().closeHandler(v -> closed.add(content));
      res.write(chunk("Hello there, this is the start of a long answer"));
      held.put(content, res);
    })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    app = TestApp.start(TestApp.env(
      "OPENAI_API_BASE", "http://127.0.0.1:" + upstream.actualPort() + "/v1", "OPENAI_API_KEY", "sk-fake-openai-key",
      "CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL,
      "CHRYSALIS_DEFAULT_PLAN", "pro",
      "CHRYSALIS_UPSTREAM_IDLE_TIMEOUT_MS", "60000",
      "CHRYSALIS_UPSTREAM_FIRST_BYTE_TIMEOUT_MS", "60000",
      "CHRYSALIS_UPSTREAM_MAX_RETRIES", "0"));
    api = app.api();
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
      .send().expect(201).json();
    admin = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
    Users.verify(app, admin);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Buffer chunk(String text) {
    JsonObject c = new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1)
      .put("model", "gpt-4o-mini").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("delta", new JsonObject().put("content", text)).putNull("finish_reason")));
    return Buffer.buffer("data: " + c.encode() + "\n\n");
  }

  private static void finish(String content) {
    HttpServerResponse res = held.get(content);
    JsonObject last = new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1)
      .put("model", "gpt-4o-mini").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("delta", new JsonObject()).put("finish_reason", "stop")));
    vertx.runOnContext(v -> res.end("data: " + last.encode() + "\n\ndata: [DONE]\n\n"));
  }

  private static JsonObject body(String content) {
    return new JsonObject().put("model", "gpt-4o-mini").put("stream", true).put("messages",
      new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
  }

  /** A streamed chat call with this credential (a session token or an API key, both as a bearer). */
  private static CompletableFuture<HttpResponse<String>> stream(String credential, String content) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/chat/completions"))
      .header("authorization", "Bearer " + credential).header("content-type", "application/json")
      .timeout(Duration.ofSeconds(50))
      .POST(HttpRequest.BodyPublishers.ofString(body(content).encode())).build();
    return HttpClient.newHttpClient().sendAsync(req, HttpResponse.BodyHandlers.ofString());
  }

  /** The stream's final error event, or null when it ended without one. */
  private static JsonObject finalError(String sse) {
    JsonObject error = null;
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {") && line.contains("\"error\"")) {
        error = new JsonObject(line.substring("data: ".length())).getJsonObject("error");
      }
    }
    return error;
  }

  private static long count(String sql) {
    return Workspaces.count(app, sql);
  }

  private static String tag(String what) {
    return what + "-" + UUID.randomUUID();
  }

  @Test
  void aSuspendedAccountsStreamsEndAtOnceAndAreBilledForWhatTheyProduced() throws Exception {
    Users.Registered u = Users.register(api);
    Users.Registered other = Users.register(api);
    String key = Users.apiKey(api, u, "*");
    String byToken = tag("token");
    String byKey = tag("key");
    String others = tag("other");
    CompletableFuture<HttpResponse<String>> tokenStream = stream(u.token(), byToken);
    CompletableFuture<HttpResponse<String>> keyStream = stream(key, byKey);
    CompletableFuture<HttpResponse<String>> otherStream = stream(other.token(), others);
    Workspaces.eventually(() -> held.keySet().containsAll(Set.of(byToken, byKey, others)));
    assertThat(count("SELECT count(*) FROM billing_reservations WHERE user_id = '" + u.id() + "' AND status = 'reserved'"))
      .isEqualTo(2);

    api.call("setUserStatus").bearer(admin.token()).path("id", u.id())
      .body(new JsonObject().put("status", "suspended")).send().expect(200);

    // both of the suspended account's streams end now (the upstream would hold them for a minute)
    for (CompletableFuture<HttpResponse<String>> f : List.of(tokenStream, keyStream)) {
      HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("Hello there").doesNotContain("[DONE]");
      JsonObject error = finalError(r.body());
      assertThat(error).isNotNull();
      assertThat(error.getString("code")).isEqualTo("account_suspended");
      assertThat(error.getString("type")).isEqualTo("permission_denied");
      assertThat(error.getString("message")).isNotBlank();
    }
    // the upstream requests were cancelled, and what was streamed is billed, once per call
    Workspaces.eventually(() -> closed.containsAll(Set.of(byToken, byKey)));
    Workspaces.eventually(() -> count("SELECT count(*) FROM usage_events WHERE user_id = '" + u.id() + "'") == 2);
    assertThat(count("SELECT count(*) FROM usage_events WHERE user_id = '" + u.id() + "' AND output_tokens > 0"))
      .isEqualTo(2);
    Workspaces.eventually(() -> count("SELECT count(*) FROM billing_reservations WHERE user_id = '" + u.id()
      + "' AND status = 'reserved'") == 0);

    // another user's stream goes on and completes
    assertThat(otherStream).isNotDone();
    assertThat(closed).doesNotContain(others);
    finish(others);
    assertThat(otherStream.get(10, TimeUnit.SECONDS).body()).contains("[DONE]");

    // and the suspended account starts nothing new
    int before = requests.get();
    Api.Resp refused = api.raw("POST", "/v1/chat/completions").bearer(key).body(body(tag("after"))).send();
    refused.expect(403);
    assertThat(refused.error().getString("code")).isEqualTo("account_suspended");
    assertThat(requests.get()).isEqualTo(before);
  }

  @Test
  void logoutEndsTheStreamsOfItsSessionsButNotThoseOfTheAccountsKeys() throws Exception {
    Users.Registered u = Users.register(api);
    String key = Users.apiKey(api, u, "*");
    String byToken = tag("token");
    String byKey = tag("key");
    CompletableFuture<HttpResponse<String>> tokenStream = stream(u.token(), byToken);
    CompletableFuture<HttpResponse<String>> keyStream = stream(key, byKey);
    Workspaces.eventually(() -> held.keySet().containsAll(Set.of(byToken, byKey)));

    api.call("logoutUser").bearer(u.token()).send().expect(200);

    HttpResponse<String> ended = tokenStream.get(10, TimeUnit.SECONDS);
    assertThat(ended.body()).contains("Hello there").doesNotContain("[DONE]");
    JsonObject error = finalError(ended.body());
    assertThat(error).isNotNull();
    assertThat(error.getString("code")).isEqualTo("session_ended");
    assertThat(error.getString("type")).isEqualTo("authentication_error");
    Workspaces.eventually(() -> closed.contains(byToken));
    Workspaces.eventually(() -> count("SELECT count(*) FROM usage_events WHERE user_id = '" + u.id() + "'") == 1);

    // the API key's stream is not a session: it goes on to the end
    assertThat(keyStream).isNotDone();
    assertThat(closed).doesNotContain(byKey);
    finish(byKey);
    HttpResponse<String> kept = keyStream.get(10, TimeUnit.SECONDS);
    assertThat(kept.body()).contains("[DONE]");
    assertThat(finalError(kept.body())).isNull();
    Workspaces.eventually(() -> count("SELECT count(*) FROM usage_events WHERE user_id = '" + u.id() + "'") == 2);
  }
}
