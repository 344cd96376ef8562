package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.gateway.FakeProviders;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
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
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every upstream call is billed and metered under the server's own id: a client that repeats one
 * {@code x-request-id} gets each call counted, each reservation consumed and each call tracked
 * in Autumn. The client's id is kept beside them for correlation.
 */
class ReplayedRequestIdApiTest {

  private static final int N = 4;
  private static FakeAutumn autumn;
  private static FakeProviders fake;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    autumn = new FakeAutumn();
    fake = new FakeProviders();
    Map<String, String> env = AutumnBillingApiTest.autumnEnv(autumn);
    env.putAll(TestApp.env("OPENAI_API_BASE", fake.base() + "/v1", "OPENAI_API_KEY", FakeProviders.OPENAI_KEY,
      "CHRYSALIS_FREE_DAILY_LIMIT", "10", "CHRYSALIS_DEFAULT_PLAN", "free", "CHRYSALIS_LIVE_MODELS", "",
      "CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS", "forge.workspace",
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "60000"));
    app = TestApp.start(env);
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
    fake.close();
    autumn.close();
  }

  @Test
  void nCallsWithOneRequestIdAreNMessagesNReservationsAndNTrackEvents() throws Exception {
    Users.Registered user = Users.register(api);
    String replayed = "replay-" + UUID.randomUUID();
    List<String> callIds = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      Api.Resp r = api.call("createChatCompletion").bearer(user.token()).header("x-request-id", replayed)
        .body(new JsonObject().put("model", "gpt-4o-mini").put("messages", new JsonArray()
          .add(new JsonObject().put("role", "user").put("content", "hi " + i)))).send().expect(200);
      assertThat(r.header("x-request-id")).isEqualTo(replayed);
      callIds.add(r.json().getString("id"));
    }
    assertThat(callIds).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).startsWith("chatcmpl-"));

    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline && (rows(user.id(), replayed).size() < N
      || tracks(user.id()).size() < N || reservations(replayed).contains("reserved"))) {
      Thread.sleep(50);
    }
    assertThat(rows(user.id(), replayed)).containsExactlyInAnyOrderElementsOf(callIds);
    assertThat(reservations(replayed)).hasSize(N).containsOnly("consumed");
    List<JsonObject> tracks = tracks(user.id());
    assertThat(tracks).hasSize(N);
    assertThat(tracks.stream().map(t -> t.getJsonObject("properties").getString("request_id")).toList())
      .containsExactlyInAnyOrderElementsOf(callIds);
    assertThat(tracks).allSatisfy(t ->
      assertThat(t.getJsonObject("properties").getString("client_request_id")).isEqualTo(replayed));
    assertThat(strings("SELECT used::text FROM billing_message_counters WHERE subject_id = ?", user.id()))
      .containsExactly(String.valueOf(N));
  }

  private static List<JsonObject> tracks(String userId) {
    return autumn.tracks.stream().filter(t -> userId.equals(t.getString("customer_id"))).toList();
  }

  private static List<String> rows(String userId, String clientRequestId) throws Exception {
    return strings("SELECT id FROM usage_events WHERE user_id = ? AND client_request_id = ?", userId, clientRequestId);
  }

  private static List<String> reservations(String clientRequestId) throws Exception {
    return strings("SELECT status FROM billing_reservations WHERE client_request_id = ?", clientRequestId);
  }

  private static List<String> strings(String sql, String... args) throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl()); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }
}
