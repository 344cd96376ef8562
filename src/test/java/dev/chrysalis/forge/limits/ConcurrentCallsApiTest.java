package dev.chrysalis.forge.limits;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent calls per user and slow readers, against a fake OpenAI upstream speaking its
 * streaming wire format, on a node whose upstream pool is shrunk to the cap plus one connection
 * (one HTTP verticle): the call beyond the plan's cap is refused 429 in our shape with Retry-After
 * and costs no upstream call, so another user still gets a connection; a client that stops reading
 * has its stream ended, the upstream connection given back and what was produced billed.
 */
class ConcurrentCallsApiTest {

  private static final int CAP = 2;
  /** Upstream connections of the node: one user at its cap leaves exactly one for everybody else. */
  private static final int POOL = CAP + 1;
  private static Vertx vertx;
  private static HttpServer upstream;
  private static TestApp app;
  private static Api api;
  /** Streams the fake holds open until the test lets them finish. */
  private static final List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
  /** Embeddings calls the fake holds until the test answers them. */
  private static final List<HttpServerResponse> heldEmbeddings = new CopyOnWriteArrayList<>();
  private static final AtomicInteger requests = new AtomicInteger();
  private static final AtomicInteger floodClosed = new AtomicInteger();
  private static final AtomicInteger floodBytes = new AtomicInteger();
  private static final AtomicInteger floodsStarted = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      requests.incrementAndGet();
      if (req.path().endsWith("/embeddings")) {
        heldEmbeddings.add(req.response());
        return;
      }
      JsonObject chat = body.toJsonObject();
      String content = chat.getJsonArray("messages").getJsonObject(chat.getJsonArray("messages").size() - 1)
        .getString("content");
      HttpServerResponse res = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      res.write(chunk("Hello"));
      if (content.startsWith("flood")) {
        floodsStarted.incrementAndGet();
        req.connection().closeHandler(v -> floodClosed.incrementAndGet());
        flood(res);
      } else {
        held.add(res);
      }
    })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    String base = "http://127.0.0.1:" + upstream.actualPort() + "/v1";
    app = TestApp.start(TestApp.env(
      "OPENAI_API_BASE", base, "OPENAI_API_KEY", "sk-fake-openai-key",
      "CHRYSALIS_DEFAULT_PLAN", "free",
      "CHRYSALIS_HTTP_INSTANCES", "1",
      "CHRYSALIS_UPSTREAM_MAX_CONNECTIONS", String.valueOf(POOL),
      "CHRYSALIS_LIMIT_FREE_CONCURRENT_CALLS", String.valueOf(CAP),
      "CHRYSALIS_SLOW_READER_TIMEOUT_MS", "3000",
      "CHRYSALIS_UPSTREAM_IDLE_TIMEOUT_MS", "60000",
      "CHRYSALIS_UPSTREAM_FIRST_BYTE_TIMEOUT_MS", "60000",
      "CHRYSALIS_UPSTREAM_MAX_RETRIES", "0"));
    api = app.api();
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

  private static void finish(HttpServerResponse res) {
    JsonObject last = new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1)
      .put("model", "gpt-4o-mini").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("delta", new JsonObject()).put("finish_reason", "stop")));
    res.end("data: " + last.encode() + "\n\ndata: [DONE]\n\n");
  }

  /** Writes as fast as the gateway takes it, for as long as the connection lives. */
  private static void flood(HttpServerResponse res) {
    String text = "x".repeat(8 * 1024);
    while (!res.writeQueueFull() && !res.closed()) {
      Buffer b = chunk(text);
      floodBytes.addAndGet(b.length());
      res.write(b);
    }
    if (!res.closed()) {
      res.drainHandler(v -> flood(res));
    }
  }

  private static JsonObject body(String content) {
    return new JsonObject().put("model", "gpt-4o-mini").put("stream", true).put("messages",
      new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
  }

  private static CompletableFuture<HttpResponse<String>> stream(Users.Registered u, String content) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/chat/completions"))
      .header("authorization", "Bearer " + u.token()).header("content-type", "application/json")
      .timeout(Duration.ofSeconds(30))
      .POST(HttpRequest.BodyPublishers.ofString(body(content).encode())).build();
    return HttpClient.newHttpClient().sendAsync(req, HttpResponse.BodyHandlers.ofString());
  }

  private static void eventually(java.util.function.BooleanSupplier condition) {
    // generous: filling the socket buffers of an unread stream takes seconds on a busy machine
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not reached in 60 s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void theCallBeyondThePlansCapIsRefusedAndASlotComesBackWhenACallEnds() throws Exception {
    Users.Registered u = Users.register(api);
    Users.Registered other = Users.register(api);
    held.clear();
    int before = requests.get();
    List<CompletableFuture<HttpResponse<String>>> open = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      open.add(stream(u, "hold " + i));
    }
    eventually(() -> held.size() == CAP);

    Api.Resp refused = api.raw("POST", "/v1/chat/completions").bearer(u.token()).body(body("one more")).send();
    refused.expect(429);
    assertThat(refused.error().getString("code")).isEqualTo("too_many_concurrent_calls");
    assertThat(refused.error().getString("type")).isEqualTo("rate_limit_exceeded");
    assertThat(refused.header("retry-after")).isEqualTo("1");
    assertThat(requests.get() - before).isEqualTo(CAP);
    // the refused call took no message of the day: only the held calls hold reservations
    assertThat(Workspaces.count(app, "SELECT count(*) FROM billing_reservations WHERE user_id = '" + u.id()
      + "' AND status = 'reserved'")).isEqualTo(CAP);

    // another user is not affected
    CompletableFuture<HttpResponse<String>> others = stream(other, "hold other");
    eventually(() -> held.size() == CAP + 1);

    for (HttpServerResponse res : held) {
      vertx.runOnContext(v -> finish(res));
    }
    for (CompletableFuture<HttpResponse<String>> f : open) {
      assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(others.get(20, TimeUnit.SECONDS).body()).contains("[DONE]");
    held.clear();
    CompletableFuture<HttpResponse<String>> again = stream(u, "hold again");
    eventually(() -> held.size() == 1);
    vertx.runOnContext(v -> finish(held.get(0)));
    assertThat(again.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aClientThatStopsReadingHasItsStreamEndedAndBilled() throws Exception {
    Users.Registered u = Users.register(api);
    URI base = URI.create(api.baseUrl());
    byte[] payload = body("flood please").encode().getBytes(StandardCharsets.UTF_8);
    int closedBefore = floodClosed.get();
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer " + u.token()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      // never read: the gateway's write queue fills, upstream reading pauses, the timeout ends it
      eventually(() -> floodClosed.get() > closedBefore);
      eventually(() -> Workspaces.count(app, "SELECT count(*) FROM usage_events WHERE user_id = '" + u.id() + "'") == 1);
    }
    assertThat(Workspaces.count(app, "SELECT output_tokens FROM usage_events WHERE user_id = '" + u.id() + "'"))
      .isPositive();
    // bounded: what the fake wrote before the stall is what the buffers held, not an endless stream
    assertThat(floodBytes.get()).isLessThan(256 * 1024 * 1024);
    // the service still answers, and the user's slot was given back
    api.raw("GET", "/health").send().expect(200);
    held.clear();
    CompletableFuture<HttpResponse<String>> again = stream(u, "hold after flood");
    eventually(() -> held.size() == 1);
    vertx.runOnContext(v -> finish(held.get(0)));
    assertThat(again.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  /**
   * The replay: one user's streams read by a client that takes nothing, on a pool of
   * {@link #POOL} upstream connections. The user gets only its cap of them, so another user's chat
   * is served while they are held; the slow-reader timeout then ends each held stream, bills it and
   * gives its connection back, so afterwards the whole pool serves again.
   */
  @Test
  void oneUsersSlowReadersCannotHoldTheUpstreamConnectionsOfOthers() throws Exception {
    Users.Registered slow = Users.register(api);
    Users.Registered other = Users.register(api);
    held.clear();
    int startedBefore = floodsStarted.get();
    int closedBefore = floodClosed.get();
    int requestsBefore = requests.get();
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) {
        sockets.add(unreadStream(slow, "flood " + i));
      }
      eventually(() -> floodsStarted.get() - startedBefore == CAP);
      // the slow reader's next call is refused at its cap and never reaches the pool
      Api.Resp refused = api.raw("POST", "/v1/chat/completions").bearer(slow.token()).body(body("hold more")).send();
      refused.expect(429);
      assertThat(refused.error().getString("code")).isEqualTo("too_many_concurrent_calls");
      assertThat(requests.get() - requestsBefore).isEqualTo(CAP);

      // the connection left over serves another user (with no slot for them it would wait for a stall to end)
      CompletableFuture<HttpResponse<String>> others = stream(other, "hold while flooded");
      eventually(() -> held.size() == 1);
      vertx.runOnContext(v -> finish(held.get(0)));
      HttpResponse<String> answer = others.get(20, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).contains("Hello").contains("[DONE]");

      // each unread stream ends at the slow-reader timeout: upstream connection closed, usage billed
      eventually(() -> floodClosed.get() - closedBefore == CAP);
      eventually(() -> Workspaces.count(app, "SELECT count(*) FROM usage_events WHERE user_id = '" + slow.id() + "'") == CAP);
      assertThat(Workspaces.count(app, "SELECT count(*) FROM usage_events WHERE user_id = '" + slow.id()
        + "' AND output_tokens > 0")).isEqualTo(CAP);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    // nothing leaked: the whole pool serves again, the slow user at its cap and the other user beside it
    held.clear();
    List<CompletableFuture<HttpResponse<String>>> again = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      again.add(stream(slow, "hold after " + i));
    }
    again.add(stream(other, "hold after other"));
    eventually(() -> held.size() == POOL);
    for (HttpServerResponse res : held) {
      vertx.runOnContext(v -> finish(res));
    }
    for (CompletableFuture<HttpResponse<String>> f : again) {
      assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    held.clear();
  }

  /** A streamed chat sent over a socket that is never read (its receive buffer kept small). */
  private static Socket unreadStream(Users.Registered u, String content) throws Exception {
    URI base = URI.create(api.baseUrl());
    byte[] payload = body(content).encode().getBytes(StandardCharsets.UTF_8);
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
    OutputStream out = s.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer " + u.token()
      + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII));
    out.write(payload);
    out.flush();
    return s;
  }

  @Test
  void embeddingsCallsTakeSlotsOfTheSameCap() throws Exception {
    Users.Registered u = Users.register(api);
    heldEmbeddings.clear();
    int before = requests.get();
    List<CompletableFuture<HttpResponse<String>>> open = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      open.add(embed(u, "text " + i));
    }
    eventually(() -> heldEmbeddings.size() == CAP);

    Api.Resp refused = api.raw("POST", "/v1/embeddings").bearer(u.token()).body(embeddingBody("one more")).send();
    refused.expect(429);
    assertThat(refused.error().getString("code")).isEqualTo("too_many_concurrent_calls");
    assertThat(refused.header("retry-after")).isEqualTo("1");
    // chat and embeddings share the user's slots
    api.raw("POST", "/v1/chat/completions").bearer(u.token()).body(body("hold chat")).send().expect(429);
    assertThat(requests.get() - before).isEqualTo(CAP);

    for (HttpServerResponse res : heldEmbeddings) {
      vertx.runOnContext(v -> answerEmbedding(res));
    }
    for (CompletableFuture<HttpResponse<String>> f : open) {
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    // the slots came back
    heldEmbeddings.clear();
    CompletableFuture<HttpResponse<String>> again = embed(u, "again");
    eventually(() -> heldEmbeddings.size() == 1);
    vertx.runOnContext(v -> answerEmbedding(heldEmbeddings.get(0)));
    assertThat(again.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    heldEmbeddings.clear();
  }

  private static JsonObject embeddingBody(String text) {
    return new JsonObject().put("model", "text-embedding-3-small").put("input", text);
  }

  private static CompletableFuture<HttpResponse<String>> embed(Users.Registered u, String text) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/embeddings"))
      .header("authorization", "Bearer " + u.token()).header("content-type", "application/json")
      .timeout(Duration.ofSeconds(60))
      .POST(HttpRequest.BodyPublishers.ofString(embeddingBody(text).encode())).build();
    return HttpClient.newHttpClient().sendAsync(req, HttpResponse.BodyHandlers.ofString());
  }

  /** OpenAI's embeddings answer. */
  private static void answerEmbedding(HttpServerResponse res) {
    res.putHeader("content-type", "application/json").end(new JsonObject().put("object", "list")
      .put("data", new JsonArray().add(new JsonObject().put("object", "embedding").put("index", 0)
        .put("embedding", new JsonArray().add(0.1).add(-0.2).add(0.3))))
      .put("model", "text-embedding-3-small")
      .put("usage", new JsonObject().put("prompt_tokens", 2).put("total_tokens", 2)).encode());
  }
}
