package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

/** A test app whose every provider points at one {@link FakeProviders}, plus a signed-in user. */
final class GatewayFixture implements AutoCloseable {

  final FakeProviders fake = new FakeProviders();
  final TestApp app;
  final Api api;
  final Users.Registered user;

  GatewayFixture(String... extraEnv) {
    Map<String, String> env = TestApp.env(
      "OPENAI_API_BASE", fake.base() + "/v1", "OPENAI_API_KEY", FakeProviders.OPENAI_KEY,
      "ANTHROPIC_API_BASE", fake.base(), "ANTHROPIC_API_KEY", FakeProviders.ANTHROPIC_KEY,
      "GOOGLE_API_BASE", fake.base() + "/", "GOOGLE_API_KEY", FakeProviders.GOOGLE_KEY,
      "COHERE_API_BASE", fake.base(), "COHERE_API_KEY", FakeProviders.COHERE_KEY,
      "MISTRAL_API_BASE", fake.base(), "MISTRAL_API_KEY", FakeProviders.MISTRAL_KEY,
      "OLLAMA_BASE_URL", fake.base(),
      "VLLM_BASE_URL", "http://127.0.0.1:1",
      "CHRYSALIS_UPSTREAM_FIRST_BYTE_TIMEOUT_MS", "800",
      "CHRYSALIS_UPSTREAM_IDLE_TIMEOUT_MS", "800",
      // retries back off 10 ms, not 500; an upstream asking for more than 5 s is answered at once
      "CHRYSALIS_UPSTREAM_RETRY_BASE_MS", "10",
      "CHRYSALIS_UPSTREAM_RETRY_MAX_WAIT_MS", "5000",
      "CHRYSALIS_LIVE_MODELS", "openai",
      "CHRYSALIS_DEFAULT_PLAN", "team",
      // these tests send far more than a real user's minute allows; the limiter has its own tests
      "CHRYSALIS_RATE_TEAM_PER_MINUTE", "60000",
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "60000",
      "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "60000");
    env.putAll(TestApp.env(extraEnv));
    app = TestApp.start(env);
    api = app.api();
    user = Users.register(api);
  }

  /** Streams are sent off-contract: the contract cannot declare text/event-stream answers. */
  Api.Resp chat(JsonObject body) {
    Api.Call call = Boolean.TRUE.equals(body.getValue("stream"))
      ? api.raw("POST", "/v1/chat/completions") : api.call("createChatCompletion");
    return call.bearer(user.token()).body(body).send();
  }

  static JsonObject hello(String model) {
    return new JsonObject().put("model", model).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "system").put("content", "Be brief."))
      .add(new JsonObject().put("role", "user").put("content", "Say hello.")));
  }

  static JsonObject weather(String model) {
    return new JsonObject().put("model", model)
      .put("messages", new JsonArray()
        .add(new JsonObject().put("role", "developer").put("content", "Use tools."))
        .add(new JsonObject().put("role", "user").put("content", "Weather in Paris?")))
      .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "get_weather").put("description", "Current weather")
        .put("parameters", new JsonObject().put("type", "object").put("properties",
          new JsonObject().put("city", new JsonObject().put("type", "string")))))))
      .put("tool_choice", "auto");
  }

  /** The billing ledger row of one request (by the client's x-request-id), waiting up to 10 s for it (usage is recorded after the answer). */
  JsonObject usageRow(String userId, String requestId) throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl());
         PreparedStatement ps = c.prepareStatement(
           "SELECT model, provider, input_tokens, output_tokens, is_byok, reservation_id, estimated, session_id "
             + "FROM usage_events WHERE user_id = ? AND client_request_id = ?")) {
      ps.setString(1, userId);
      ps.setString(2, requestId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new JsonObject().put("model", rs.getString(1)).put("provider", rs.getString(2))
          .put("input_tokens", rs.getLong(3)).put("output_tokens", rs.getLong(4)).put("is_byok", rs.getBoolean(5))
          .put("reservation_id", rs.getString(6)).put("estimated", rs.getBoolean(7)).put("session_id", rs.getString(8));
      }
    }
  }

  /** The statuses of the billing reservations made for one request (reserved, released, consumed). */
  java.util.List<String> reservations(String requestId) throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl());
         PreparedStatement ps = c.prepareStatement("SELECT status FROM billing_reservations WHERE client_request_id = ?")) {
      ps.setString(1, requestId);
      java.util.List<String> out = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  /** Waits up to 10 s for the request's reservations to be settled (none left {@code reserved}). */
  java.util.List<String> settledReservations(String requestId) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    java.util.List<String> r = reservations(requestId);
    while ((r.isEmpty() || r.contains("reserved")) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      r = reservations(requestId);
    }
    return r;
  }

  JsonObject waitForUsage(String userId, String requestId) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    JsonObject row = usageRow(userId, requestId);
    while (row == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      row = usageRow(userId, requestId);
    }
    return row;
  }

  @Override
  public void close() {
    app.close();
    fake.close();
  }
}
