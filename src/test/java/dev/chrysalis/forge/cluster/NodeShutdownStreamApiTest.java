package dev.chrysalis.forge.cluster;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.chrysalis.forge.gateway.FakeProviders;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two clustered service processes (the real Main) share PostgreSQL and Redis, their OpenAI
 * provider a fake in this JVM that drips a long stream. A node sent SIGTERM while it streams an
 * answer finishes that stream (every chunk, then [DONE]) while refusing new connections, records
 * its usage and exits; the other node serves throughout. A stream longer than
 * CHRYSALIS_SHUTDOWN_GRACE_SECONDS is ended at the deadline with a final error event the OpenAI
 * SDK raises, and is still billed; a call that has written nothing by then answers 503.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeShutdownStreamApiTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  private static RedisProcess redis;
  private static FakeProviders fake;
  private static String db;
  private static NodeProcess a;
  private static NodeProcess b;

  @BeforeAll
  static void startTwoNodes() throws Exception {
    redis = RedisProcess.start();
    fake = new FakeProviders();
    db = TestDatabase.freshDatabaseUrl();
    ClusterNodes nodes = new ClusterNodes(2);
    String[] upstream = {"OPENAI_API_BASE", fake.base() + "/v1", "OPENAI_API_KEY", FakeProviders.OPENAI_KEY,
      "CHRYSALIS_DEFAULT_PLAN", "team"};
    // A has time to finish any stream; B's deadline is short, for the second test
    a = NodeProcess.start(nodes, 0, db, redis.url(), concat(upstream, "CHRYSALIS_SHUTDOWN_GRACE_SECONDS", "60"));
    b = NodeProcess.start(nodes, 1, db, redis.url(), concat(upstream, "CHRYSALIS_SHUTDOWN_GRACE_SECONDS", "2"));
    a.awaitMembers(2);
    b.awaitMembers(2);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, fake, redis}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  @Order(1)
  void aStreamInFlightOnASigtermedNodeFinishesWhileTheOtherNodeServes() throws Exception {
    fake.dripEvents = 120;
    fake.dripIntervalMs = 50;   // about 6 s of answer
    Users.Registered user = Users.register(b.api);
    String key = Users.apiKey(b.api, user, "*");
    String requestId = "sigterm-" + UUID.randomUUID();

    HttpResponse<Stream<String>> response = HTTP.send(streamRequest(a, key, requestId), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> data = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstContent = new CountDownLatch(1);
    AtomicBoolean streamOver = new AtomicBoolean();
    Thread reader = new Thread(() -> {
      try (Stream<String> lines = response.body()) {
        lines.filter(l -> l.startsWith("data: ")).forEach(l -> {
          data.add(l.substring(6));
          if (l.contains("\"content\":\"Hel\"")) {
            firstContent.countDown();
          }
        });
      } catch (RuntimeException broken) {
        data.add("(connection broke: " + broken.getMessage() + ")");
      } finally {
        streamOver.set(true);
      }
    });
    reader.start();
    assertThat(firstContent.await(30, TimeUnit.SECONDS)).as("the stream started").isTrue();

    a.sigterm();

    boolean refusedMidStream = false;
    List<Integer> fromB = new ArrayList<>();
    while (!streamOver.get()) {
      boolean streaming = !streamOver.get();
      if (!a.acceptsConnections() && streaming && !streamOver.get()) {
        refusedMidStream = true;
      }
      fromB.add(b.api.call("getCurrentUser").bearer(key).timeout(Duration.ofSeconds(5)).send().status());
      Thread.sleep(100);
    }
    reader.join(10_000);

    assertThat(data).as("every chunk, then [DONE]").last().isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonArray choices = new JsonObject(d).getJsonArray("choices");
      if (choices != null && !choices.isEmpty()) {
        text.append(choices.getJsonObject(0).getJsonObject("delta").getString("content", ""));
      }
    }
    assertThat(text.toString()).isEqualTo("Hel".repeat(120) + "lo there!");
    assertThat(refusedMidStream).as("node A refused new connections while it finished the stream").isTrue();
    assertThat(fromB).as("node B answered while A drained").isNotEmpty().containsOnly(200);

    assertThat(a.exited(60)).as("node A exits after the stream:\n" + a.logTail()).isTrue();
    JsonObject usage = usageRow(user.id(), requestId);
    assertThat(usage).as("A recorded the stream's usage before leaving").isNotNull();
    assertThat(usage.getLong("output_tokens")).isPositive();

    // B, alone now, keeps serving: an API-key request and a chat call
    for (int i = 0; i < 10; i++) {
      b.api.call("getCurrentUser").bearer(key).send().expect(200);
    }
    b.api.call("createChatCompletion").bearer(key).body(hello("gpt-4o")).send().expect(200);
    b.awaitMembers(1);
  }

  @Test
  @Order(2)
  void aStreamLongerThanTheGracePeriodEndsAtTheDeadlineWithAnErrorTheSdkRaisesAndIsBilled() throws Exception {
    fake.dripEvents = 2_000;
    fake.dripIntervalMs = 20;   // about 40 s of answer; B's grace is 2 s
    Users.Registered user = Users.register(b.api);
    String key = Users.apiKey(b.api, user, "*");
    OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(b.api.baseUrl() + "/v1").maxRetries(0)
      .timeout(Duration.ofSeconds(60)).build();
    StringBuilder received = new StringBuilder();
    CountDownLatch firstContent = new CountDownLatch(1);
    AtomicReference<Throwable> raised = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-4o-drip")
        .addUserMessage("Say hello, at length.").build();
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
        stream.stream().flatMap(c -> c.choices().stream()).forEach(ch -> {
          received.append(ch.delta().content().orElse(""));
          firstContent.countDown();
        });
      } catch (Throwable t) {
        raised.set(t);
      }
    });
    // and a non-streamed call whose upstream has not answered by the deadline
    fake.slowMs = 120_000;
    int seenBefore = fake.seen.size();
    AtomicReference<Api.Resp> slow = new AtomicReference<>();
    Thread waiting = new Thread(() -> slow.set(b.api.call("createChatCompletion").bearer(key)
      .body(hello("gpt-4o-slow")).timeout(Duration.ofSeconds(60)).send()));
    try {
      reader.start();
      waiting.start();
      assertThat(firstContent.await(30, TimeUnit.SECONDS)).as("the stream started").isTrue();
      while (fake.seen.size() < seenBefore + 2) {
        Thread.sleep(20);
      }
      b.sigterm();
      waiting.join(30_000);
      assertThat(slow.get()).as("the waiting call was answered at the deadline").isNotNull();
      assertThat(slow.get().status()).isEqualTo(503);
      assertThat(slow.get().error().getString("code")).isEqualTo("server_shutting_down");
      reader.join(30_000);
      assertThat(reader.isAlive()).as("the stream ended at the deadline").isFalse();
      assertThat(raised.get()).as("the SDK raised the final error event").isNotNull();
      assertThatThrownBy(() -> {
        throw raised.get();
      }).hasMessageContaining("shutting down");
      assertThat(received.toString()).startsWith("HelHel").doesNotContain("lo there!");
      assertThat(b.exited(60)).as("node B exits after the deadline:\n" + b.logTail()).isTrue();
      JsonObject usage = onlyUsageRow(user.id());
      assertThat(usage).as("the cut stream is billed with an estimate (the unanswered call is not)").isNotNull();
      assertThat(usage.getLong("output_tokens")).isPositive();
    } finally {
      client.close();
    }
  }

  private static HttpRequest streamRequest(NodeProcess node, String key, String requestId) {
    return HttpRequest.newBuilder(URI.create(node.api.baseUrl() + "/v1/chat/completions"))
      .header("authorization", "Bearer " + key)
      .header("content-type", "application/json")
      .header("x-request-id", requestId)
      .timeout(Duration.ofSeconds(60))
      .POST(HttpRequest.BodyPublishers.ofString(hello("gpt-4o-drip").put("stream", true).encode()))
      .build();
  }

  private static JsonObject hello(String model) {
    return new JsonObject().put("model", model).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "Say hello.")));
  }

  private static JsonObject usageRow(String userId, String requestId) throws Exception {
    return usage("SELECT id, output_tokens FROM usage_events WHERE user_id = ? AND client_request_id = ?", userId,
      requestId);
  }

  private static JsonObject onlyUsageRow(String userId) throws Exception {
    return usage("SELECT id, output_tokens FROM usage_events WHERE user_id = ?", userId);
  }

  private static JsonObject usage(String sql, String... params) throws Exception {
    try (Connection c = TestDatabase.connect(db); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        JsonObject row = new JsonObject().put("id", rs.getString(1)).put("output_tokens", rs.getLong(2));
        assertThat(rs.next()).as("one usage row").isFalse();
        return row;
      }
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
