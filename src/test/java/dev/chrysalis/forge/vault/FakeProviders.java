package dev.chrysalis.forge.vault;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fake LLM providers on one loopback port, each under its own prefix and speaking that
 * provider's models-list format and auth header (as each provider publishes it):
 * {@code /openai/v1/models} (Bearer, OpenAI list), {@code /anthropic/v1/models} (x-api-key +
 * anthropic-version), {@code /google/v1beta/models} (x-goog-api-key; a bad key is 400
 * API_KEY_INVALID), {@code /cohere/v1/models} (Bearer), and {@code /slow/…}, which never answers.
 */
final class FakeProviders implements AutoCloseable {

  private final Vertx vertx;
  private final HttpServer server;
  private final Set<String> accepted = ConcurrentHashMap.newKeySet();
  private final List<String> seenKeys = new CopyOnWriteArrayList<>();

  private FakeProviders(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  static FakeProviders start() throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeProviders[] self = new FakeProviders[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> self[0].handle(req))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    self[0] = new FakeProviders(vertx, server);
    return self[0];
  }

  /** Keys the fake providers accept. */
  FakeProviders accept(String key) {
    accepted.add(key);
    return this;
  }

  String base(String prefix) {
    return "http://127.0.0.1:" + server.actualPort() + "/" + prefix;
  }

  /** Every key a fake provider was sent, in order (proves what the vault decrypted). */
  List<String> seenKeys() {
    return List.copyOf(seenKeys);
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/slow/")) {
      return; // never answers
    }
    if (req.method().name().equals("GET") && path.equals("/openai/v1/models")) {
      String key = bearer(req);
      if (!accepted.contains(key)) {
        json(req, 401, new JsonObject().put("error", new JsonObject().put("message", "Incorrect API key provided.")
          .put("type", "invalid_request_error").put("param", null).put("code", "invalid_api_key")));
        return;
      }
      json(req, 200, new JsonObject().put("object", "list").put("data", new JsonArray()
        .add(new JsonObject().put("id", "gpt-4o").put("object", "model").put("created", 1715367049).put("owned_by", "system"))
        .add(new JsonObject().put("id", "gpt-4o-mini").put("object", "model").put("created", 1721172741).put("owned_by", "system"))));
      return;
    }
    if (path.equals("/anthropic/v1/models")) {
      String key = req.getHeader("x-api-key");
      seen(key);
      if (!accepted.contains(key) || req.getHeader("anthropic-version") == null) {
        json(req, 401, new JsonObject().put("type", "error").put("error", new JsonObject()
          .put("type", "authentication_error").put("message", "invalid x-api-key")).put("request_id", "req_1"));
        return;
      }
      json(req, 200, new JsonObject().put("data", new JsonArray().add(new JsonObject().put("type", "model")
          .put("id", "claude-sonnet-4-5").put("display_name", "Claude Sonnet 4.5").put("created_at", "2025-09-29T00:00:00Z")))
        .put("has_more", false).put("first_id", "claude-sonnet-4-5").put("last_id", "claude-sonnet-4-5"));
      return;
    }
    if (path.equals("/google/v1beta/models")) {
      String key = req.getHeader("x-goog-api-key");
      seen(key);
      if (!accepted.contains(key)) {
        json(req, 400, new JsonObject().put("error", new JsonObject().put("code", 400)
          .put("message", "API key not valid. Please pass a valid API key.").put("status", "INVALID_ARGUMENT")
          .put("details", new JsonArray().add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
            .put("reason", "API_KEY_INVALID")))));
        return;
      }
      json(req, 200, new JsonObject().put("models", new JsonArray().add(new JsonObject()
        .put("name", "models/gemini-2.0-flash").put("displayName", "Gemini 2.0 Flash")
        .put("supportedGenerationMethods", new JsonArray().add("generateContent")))));
      return;
    }
    if (path.equals("/cohere/v1/models")) {
      if (!accepted.contains(bearer(req))) {
        json(req, 401, new JsonObject().put("message", "invalid api token"));
        return;
      }
      json(req, 200, new JsonObject().put("models", new JsonArray().add(new JsonObject().put("name", "command-r-plus")
        .put("endpoints", new JsonArray().add("chat")))));
      return;
    }
    json(req, 404, new JsonObject().put("error", new JsonObject().put("message", "not found")));
  }

  private String bearer(HttpServerRequest req) {
    String h = req.getHeader("authorization");
    String key = h != null && h.startsWith("Bearer ") ? h.substring(7) : null;
    seen(key);
    return key;
  }

  private void seen(String key) {
    if (key != null) {
      seenKeys.add(key);
    }
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  @Override
  public void close() {
    vertx.close();
  }
}
