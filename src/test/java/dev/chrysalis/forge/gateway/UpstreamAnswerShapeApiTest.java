package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
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

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An OpenAI-compatible base URL that answers a chat call with 200 and JSON that is no completion
 * (here a models list): the client gets 502 in our shape, not that JSON as a completion, and no
 * message of the day is kept.
 */
class UpstreamAnswerShapeApiTest {

  private static Vertx side;
  private static HttpServer notAChatServer;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    side = Vertx.vertx();
    notAChatServer = side.createHttpServer().requestHandler(req -> req.response()
      .putHeader("content-type", "application/json").end(new JsonObject().put("object", "list")
        .put("data", new JsonArray().add(new JsonObject().put("id", "not-a-completion"))).encode()))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    app = TestApp.start(TestApp.env("CHRYSALIS_ALLOW_PRIVATE_BASE_URLS", "true", "CHRYSALIS_DEFAULT_PLAN", "free"));
    api = app.api();
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    side.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aTwoHundredWithoutChoicesIsA502AndCostsNoMessage() {
    Users.Registered user = Users.register(api);
    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", PlaintextKeys.fresh("sk-")).put("base_url", "http://127.0.0.1:" + notAChatServer.actualPort() + "/v1"))
      .send().expect(201);
    Api.Resp r = api.call("createChatCompletion").bearer(user.token()).body(new JsonObject()
      .put("model", "custom/any-model").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "Say hello.")))).send();
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.error().getString("code")).isEqualTo("upstream_error");
    assertThat(r.text()).doesNotContain("not-a-completion");
    assertThat(Workspaces.count(app, "SELECT count(*) FROM billing_reservations WHERE user_id = '" + user.id()
      + "' AND status <> 'released'")).isZero();
    assertThat(Workspaces.count(app, "SELECT coalesce(sum(used), 0) FROM billing_message_counters WHERE subject_id = '"
      + user.id() + "'")).isZero();
  }
}
