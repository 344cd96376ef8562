package dev.chrysalis.forge.outbound;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.NoKeyLeaks;
import dev.chrysalis.forge.testing.PlaintextKeys;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user-supplied base URL that answers every call with a redirect (303 or 307): the service never follows it,
 * so the address the redirect names (here a second local service) receives nothing, not the
 * caller's body and not the caller's key, on chat, streamed chat, embeddings, the Responses API
 * and the live key check alike.
 */
@ExtendWith(NoKeyLeaks.class)
class RedirectApiTest {

  private static Vertx side;
  private static HttpServer redirecting;
  private static HttpServer target;
  private static final AtomicInteger redirected = new AtomicInteger();
  private static final List<String> reached = new CopyOnWriteArrayList<>();
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    side = Vertx.vertx();
    target = side.createHttpServer().requestHandler(req -> {
      reached.add(req.method() + " " + req.path() + " " + req.getHeader("authorization"));
      req.response().putHeader("content-type", "application/json").end(new JsonObject().put("object", "list")
        .put("data", new JsonArray().add(new JsonObject().put("id", "behind-the-redirect"))).encode());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    redirecting = side.createHttpServer().requestHandler(req -> {
      redirected.incrementAndGet();
      // 307 keeps a GET a GET; 303 turns a POST into a GET, which clients follow whatever the method
      req.response().setStatusCode(req.method() == io.vertx.core.http.HttpMethod.GET ? 307 : 303)
        .putHeader("location", "http://127.0.0.1:" + target.actualPort() + req.uri()).end();
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    app = TestApp.start(TestApp.env("CHRYSALIS_ALLOW_PRIVATE_BASE_URLS", "true",
      "CHRYSALIS_UPSTREAM_MAX_RETRIES", "0"));
    api = app.api();
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    side.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject hello(boolean stream) {
    return new JsonObject().put("model", "custom/any-model").put("stream", stream).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "Say hello.")));
  }

  private static void notFollowed(Api.Resp r) {
    assertThat(r.status()).as(r.text()).isBetween(400, 599);
    assertThat(r.header("content-type")).startsWith("application/json");
    assertThat(r.error().getString("message")).isNotBlank();
    assertThat(r.text()).doesNotContain("behind-the-redirect");
  }

  @Test
  void aBaseUrlAnsweringWithRedirectsLeadsNowhere() {
    Users.Registered user = Users.register(api);
    String key = PlaintextKeys.fresh("sk-");
    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", key).put("base_url", "http://127.0.0.1:" + redirecting.actualPort() + "/v1")).send().expect(201);

    notFollowed(api.call("createChatCompletion").bearer(user.token()).body(hello(false)).send());
    notFollowed(api.call("createChatCompletion").bearer(user.token()).body(hello(true)).send());
    notFollowed(api.call("createEmbedding").bearer(user.token()).body(new JsonObject()
      .put("model", "custom/any-embedding").put("input", "Say hello.")).send());
    notFollowed(api.call("createResponse").bearer(user.token()).body(new JsonObject().put("model", "custom/any-model")
      .put("input", "Say hello.")).send());
    notFollowed(api.call("createResponse").bearer(user.token()).body(new JsonObject().put("model", "custom/any-model")
      .put("input", "Say hello.").put("stream", true)).send());
    Api.Resp check = api.call("validateProviderKey").bearer(user.token()).path("provider", "custom").send();
    assertThat(check.text()).doesNotContain("behind-the-redirect");

    assertThat(redirected.get()).as("calls that reached the redirecting base").isGreaterThanOrEqualTo(6);
    assertThat(reached).as("requests that followed a redirect").isEmpty();
    // a call the upstream did not answer is not billed
    assertThat(Workspaces.count(app, "SELECT count(*) FROM usage_events WHERE user_id = '" + user.id()
      + "' AND input_tokens + output_tokens > 0")).isZero();
  }
}
