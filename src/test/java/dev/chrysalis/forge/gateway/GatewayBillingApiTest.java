package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;


import static org.assertj.core.api.Assertions.assertThat;

/** The billing gate, the daily quota and usage recording around gateway calls (free plan, 3 messages a day). */
class GatewayBillingApiTest {

  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture("CHRYSALIS_DEFAULT_PLAN", "free", "CHRYSALIS_FREE_DAILY_LIMIT", "3");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static Api.Resp chat(Users.Registered user, JsonObject body) {
    Api.Call call = Boolean.TRUE.equals(body.getValue("stream"))
      ? f.api.raw("POST", "/v1/chat/completions") : f.api.call("createChatCompletion");
    return call.bearer(user.token()).body(body).send();
  }

  @Test
  void advancedModelNeedsAPlanThatHasItAndCostsNoUpstreamCall() {
    Users.Registered user = Users.register(f.api);
    int before = f.fake.seen.size();
    Api.Resp r = chat(user, GatewayFixture.hello("gpt-4o")).expect(402);
    assertThat(r.error().getString("code")).isEqualTo("feature_not_available");
    assertThat(r.error().getString("type")).isEqualTo("payment_required");
    assertThat(f.fake.seen.size()).isEqualTo(before);
    // the refused call gave its reservation back: three basic messages still go through
    for (int i = 0; i < 3; i++) {
      chat(user, GatewayFixture.hello("gpt-4o-mini")).expect(200);
    }
  }

  @Test
  void quotaIsEnforcedBeforeTheUpstreamAndFailedCallsGiveTheMessageBack() {
    Users.Registered user = Users.register(f.api);
    chat(user, GatewayFixture.hello("ollama/gpt-4o-mini-err500")).expect(502);
    chat(user, GatewayFixture.hello("gpt-4o-mini")).expect(200);
    chat(user, GatewayFixture.hello("claude-haiku-4-5")).expect(200);
    chat(user, GatewayFixture.hello("gemini-2.5-flash")).expect(200);
    int before = f.fake.seen.size();
    Api.Resp r = chat(user, GatewayFixture.hello("gpt-4o-mini")).expect(402);
    assertThat(r.error().getString("code")).isEqualTo("quota_exceeded");
    assertThat(f.fake.seen.size()).isEqualTo(before);
  }

  @Test
  void usageIsRecordedWithTheClientsRequestIdAsCorrelation() throws Exception {
    Users.Registered user = Users.register(f.api);
    Api.Resp r = chat(user, GatewayFixture.hello("claude-haiku-4-5")).expect(200);
    JsonObject row = f.waitForUsage(user.id(), r.header("x-request-id"));
    assertThat(row).isNotNull();
    assertThat(row.getString("model")).isEqualTo("claude-haiku-4-5");
    assertThat(row.getString("provider")).isEqualTo("anthropic");
    assertThat(row.getLong("input_tokens")).isEqualTo(128L);
    assertThat(row.getLong("output_tokens")).isEqualTo(42L);
    assertThat(row.getBoolean("is_byok")).isFalse();
    assertThat(row.getString("reservation_id")).isNotBlank();
    assertThat(row.getBoolean("estimated")).as("counts the upstream reported").isFalse();
    assertThat(row.getString("session_id")).isNull();

    Api.Resp s = chat(user, GatewayFixture.hello("gemini-2.5-flash").put("stream", true)).expect(200);
    JsonObject streamed = f.waitForUsage(user.id(), s.header("x-request-id"));
    assertThat(streamed.getLong("input_tokens")).isEqualTo(11L);
    assertThat(streamed.getLong("output_tokens")).isEqualTo(3L);
    assertThat(streamed.getBoolean("estimated")).isFalse();
  }

  @Test
  void aStreamCutMidwayIsStillBilledWithAnEstimate() throws Exception {
    Users.Registered user = Users.register(f.api);
    Api.Resp r = chat(user, GatewayFixture.hello("ollama/gpt-4o-mini-cut").put("stream", true)).expect(200);
    JsonObject row = f.waitForUsage(user.id(), r.header("x-request-id"));
    assertThat(row).isNotNull();
    assertThat(row.getLong("input_tokens")).isPositive();
    assertThat(row.getBoolean("estimated")).as("the upstream never reported usage").isTrue();
  }

  @Test
  void theUsersOwnKeyIsUsedAndBilledAsByok() throws Exception {
    Users.Registered user = Users.register(f.api);
    f.api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "openai")
      .put("api_key", "sk-user-byok-123456")).send().expect(201);
    Api.Resp r = chat(user, GatewayFixture.hello("gpt-4o-mini")).expect(200);
    assertThat(f.fake.last().headers().get("authorization")).isEqualTo("Bearer sk-user-byok-123456");
    JsonObject row = f.waitForUsage(user.id(), r.header("x-request-id"));
    assertThat(row.getBoolean("is_byok")).isTrue();
  }

  @Test
  void aRejectedUserKeyIsTheUsersProblemNotOurs() {
    Users.Registered user = Users.register(f.api);
    f.api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "anthropic")
      .put("api_key", "sk-ant-rejected-by-anthropic-0001")).send().expect(201);
    Api.Resp r = chat(user, GatewayFixture.hello("claude-haiku-4-5")).expect(401);
    assertThat(r.error().getString("code")).isEqualTo("provider_key_rejected");
    assertThat(r.text()).doesNotContain("sk-ant-rejected-by-anthropic-0001");
  }

  @Test
  void eachCompletedCallIsPublishedOnceOnTheUsageAddressAndCounted() throws Exception {
    Users.Registered user = Users.register(f.api);
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = f.app.vertx().eventBus().<JsonObject>consumer(
      dev.chrysalis.forge.usage.UsageEvent.ADDRESS, m -> {
        if (user.id().equals(m.body().getString("user_id"))) {
          events.add(m.body());
        }
      });
    consumer.completion().await(5, TimeUnit.SECONDS);
    try {
      Api.Resp served = chat(user, GatewayFixture.hello("gpt-4o-mini")).expect(200);
      String requestId = served.header("x-request-id");
      chat(user, GatewayFixture.hello("gpt-4o")).expect(402);
      long deadline = System.currentTimeMillis() + 10_000;
      while (events.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(300);
      assertThat(events).hasSize(1);
      JsonObject e = events.get(0);
      assertThat(e.getString("id")).as("the server's id of the call").isEqualTo(served.json().getString("id"));
      assertThat(e.getString("client_request_id")).isEqualTo(requestId);
      assertThat(e.getString("provider")).isEqualTo("openai");
      assertThat(e.getString("model")).isEqualTo("gpt-4o-mini");
      assertThat(e.getLong("input_tokens")).isPositive();
      assertThat(e.getBoolean("estimated")).isFalse();
      assertThat(e.getBoolean("stream")).isFalse();
      assertThat(e.containsKey("reservation_id")).isFalse();
      String metrics = f.api.call("getMetrics").send().expect(200).text();
      assertThat(metrics).containsPattern(
        "forge_tokens_total\\{direction=\"input\",model=\"gpt-4o-mini\",provider=\"openai\"} [1-9]");
    } finally {
      consumer.unregister();
    }
  }
}
