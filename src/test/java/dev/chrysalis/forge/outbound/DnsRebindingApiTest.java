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

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DNS rebinding: a custom key's host resolves to a public address when the key is stored and to
 * 127.0.0.1 afterwards (a DNS server in this test answers, through CHRYSALIS_DNS_SERVERS). With
 * private base URLs refused, chat, streamed chat and the live key checks (the provider's models
 * list) resolve the host again when they connect and are refused; the loopback service the name
 * now points at never receives a request.
 */
@ExtendWith(NoKeyLeaks.class)
class DnsRebindingApiTest {

  private static final String HOST = "rebind.forge-test.example";
  private static Vertx side;
  private static FlippingDns dns;
  private static HttpServer loopback;
  private static final AtomicInteger reached = new AtomicInteger();
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    side = Vertx.vertx();
    dns = FlippingDns.start(side);
    loopback = side.createHttpServer().requestHandler(req -> {
      reached.incrementAndGet();
      req.response().putHeader("content-type", "application/json").end(new JsonObject()
        .put("object", "list").put("data", new JsonArray().add(new JsonObject().put("id", "secret-internal-model")))
        .encode());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    app = TestApp.start(TestApp.env(
      "CHRYSALIS_ALLOW_PRIVATE_BASE_URLS", "false",
      "CHRYSALIS_DNS_SERVERS", dns.server(),
      "CHRYSALIS_VAULT_VALIDATION_TIMEOUT_MS", "2000"));
    api = app.api();
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    dns.close();
    side.close().await(10, TimeUnit.SECONDS);
  }

  private static String base() {
    return "http://" + HOST + ":" + loopback.actualPort() + "/v1";
  }

  private static JsonObject hello(boolean stream) {
    return new JsonObject().put("model", "custom/any-model").put("stream", stream).put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "Say hello.")));
  }

  private static void refused(Api.Resp r) {
    r.expect(400);
    assertThat(r.header("content-type")).startsWith("application/json");
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(r.error().getString("code")).isEqualTo("base_url_not_allowed");
    assertThat(r.error().getString("param")).isEqualTo("base_url");
  }

  @Test
  void aNameThatRebindsToLoopbackAfterTheKeyWasStoredReachesNothing() throws Exception {
    Users.Registered user = Users.register(api);
    dns.answer(HOST, "93.184.215.14");
    api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", PlaintextKeys.fresh("sk-")).put("base_url", base())).send().expect(201);
    int asked = dns.queries();
    assertThat(asked).as("the check at storing asked the test's DNS server").isPositive();

    dns.answer(HOST, "127.0.0.1");
    refused(api.call("createChatCompletion").bearer(user.token()).body(hello(false)).send());
    refused(api.call("createChatCompletion").bearer(user.token()).body(hello(true)).send());
    refused(api.call("validateProviderKey").bearer(user.token()).path("provider", "custom").send());
    // the other outbound calls on the stored key: embeddings and the Responses API (plain and streamed)
    refused(api.call("createEmbedding").bearer(user.token()).body(new JsonObject().put("model", "custom/any-embedding")
      .put("input", "Say hello.")).send());
    refused(api.call("createResponse").bearer(user.token()).body(new JsonObject().put("model", "custom/any-model")
      .put("input", "Say hello.")).send());
    refused(api.call("createResponse").bearer(user.token()).body(new JsonObject().put("model", "custom/any-model")
      .put("input", "Say hello.").put("stream", true)).send());

    // a second user adding the same base with a live check is refused too, and nothing is stored
    Users.Registered other = Users.register(api);
    refused(api.call("addProviderKey").bearer(other.token()).body(new JsonObject().put("provider", "custom")
      .put("api_key", PlaintextKeys.fresh("sk-")).put("base_url", base()).put("validate", true)).send());
    assertThat(api.call("listProviderKeys").bearer(other.token()).send().expect(200).json().getJsonArray("data")).isEmpty();

    assertThat(dns.queries()).as("every call resolved the name again").isGreaterThanOrEqualTo(asked + 4);
    assertThat(reached.get()).as("requests that reached the loopback service").isZero();
    // nothing billed, no message of the day kept
    assertThat(Workspaces.count(app, "SELECT count(*) FROM usage_events WHERE user_id = '" + user.id() + "'")).isZero();
    assertThat(Workspaces.count(app, "SELECT count(*) FROM billing_reservations WHERE user_id = '" + user.id()
      + "' AND status <> 'released'")).isZero();

    // the refusals changed nothing about the stored key
    JsonObject row = api.call("listProviderKeys").bearer(user.token()).send().expect(200).json()
      .getJsonArray("data").getJsonObject(0);
    assertThat(row.getString("base_url")).isEqualTo(base());
    assertThat(row.getValue("validated_at")).isNull();
  }
}
