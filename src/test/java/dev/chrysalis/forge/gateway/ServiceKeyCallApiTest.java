package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fields that multiply what a call costs the operator (issue: a free user sent n: 128,
 * service_tier: priority, max_completion_tokens: 100000 and audio output on the service key for
 * one message of quota). On the service key each is refused with a 400 naming it, nothing reaches
 * the provider and the reserved message is given back; on the caller's own key everything passes;
 * a plan that includes an option or allows more lets it through.
 */
class ServiceKeyCallApiTest {

  private static final String ADMIN_EMAIL = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture("CHRYSALIS_DEFAULT_PLAN", "free", "CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL,
      "CHRYSALIS_LIMIT_PRO_PRICED_OPTIONS", "service_tier, web_search_options",
      "CHRYSALIS_LIMIT_PRO_MAX_CHOICES", "3",
      "CHRYSALIS_LIMIT_PRO_MAX_OUTPUT_TOKENS", "20000");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static long upstreamChats() {
    return f.fake.seen.stream().filter(s -> s.path().endsWith("/chat/completions")).count();
  }

  private static Api.Resp chat(Users.Registered user, JsonObject body, String requestId) {
    return f.api.call("createChatCompletion").bearer(user.token()).header("x-request-id", requestId).body(body).send();
  }

  /** Refused with 400 naming {@code param}, no upstream call, the message given back, no usage. */
  private static void refused(Users.Registered user, JsonObject body, String param, String code) throws Exception {
    long before = upstreamChats();
    String requestId = "svc-" + UUID.randomUUID();
    Api.Resp r = chat(user, body, requestId).expect(400);
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(r.error().getString("code")).as(param).isEqualTo(code);
    assertThat(r.error().getString("param")).isEqualTo(param);
    assertThat(r.error().getString("message")).contains("provider key");
    assertThat(upstreamChats()).as("no upstream call for " + param).isEqualTo(before);
    assertThat(f.settledReservations(requestId)).as("the reserved message is given back").containsExactly("released");
    assertThat(f.usageRow(user.id(), requestId)).as("nothing billed").isNull();
  }

  private static JsonObject hello() {
    return GatewayFixture.hello("gpt-4o-mini");
  }

  @Test
  void theReportedAttackIsRefusedFieldByField() throws Exception {
    Users.Registered user = Users.register(f.api);
    String over = ServiceKeyCallCheck.OVER_PLAN;
    String priced = ServiceKeyCallCheck.NOT_IN_PLAN;
    refused(user, hello().put("n", 128), "n", over);
    refused(user, hello().put("n", 2), "n", over);
    refused(user, hello().put("max_completion_tokens", 100_000), "max_completion_tokens", over);
    refused(user, hello().put("max_tokens", 8193), "max_tokens", over);
    refused(user, hello().put("service_tier", "priority"), "service_tier", priced);
    refused(user, hello().put("service_tier", "scale"), "service_tier", priced);
    refused(user, hello().put("modalities", new JsonArray().add("text").add("audio")), "modalities", priced);
    refused(user, hello().put("audio", new JsonObject().put("voice", "alloy").put("format", "wav")), "audio", priced);
    refused(user, hello().put("prediction", new JsonObject().put("type", "content").put("content", "Hello")),
      "prediction", priced);
    refused(user, hello().put("web_search_options", new JsonObject()), "web_search_options", priced);
    // the whole reported body: the first field the plan does not pay for is named
    refused(user, hello().put("n", 128).put("service_tier", "priority").put("max_completion_tokens", 100_000)
      .put("modalities", new JsonArray().add("text").add("audio")), "n", over);
  }

  @Test
  void theResponsesApiMeetsTheSameRulesUnderItsOwnFieldNames() {
    Users.Registered user = Users.register(f.api);
    long before = upstreamChats();
    Api.Resp tokens = f.api.call("createResponse").bearer(user.token()).body(new JsonObject().put("model", "gpt-4o-mini")
      .put("input", "Say hello.").put("max_output_tokens", 100_000)).send().expect(400);
    assertThat(tokens.error().getString("code")).isEqualTo(ServiceKeyCallCheck.OVER_PLAN);
    assertThat(tokens.error().getString("param")).isEqualTo("max_output_tokens");
    assertThat(tokens.error().getString("message")).contains("max_output_tokens");
    Api.Resp tier = f.api.call("createResponse").bearer(user.token()).body(new JsonObject().put("model", "gpt-4o-mini")
      .put("input", "Say hello.").put("service_tier", "priority")).send().expect(400);
    assertThat(tier.error().getString("code")).isEqualTo(ServiceKeyCallCheck.NOT_IN_PLAN);
    assertThat(tier.error().getString("param")).isEqualTo("service_tier");
    assertThat(upstreamChats()).isEqualTo(before);
  }

  @Test
  void whatThePlanPaysForPassesThroughUnchanged() {
    Users.Registered user = Users.register(f.api);
    JsonObject body = hello().put("n", 1).put("max_completion_tokens", 8192).put("service_tier", "auto")
      .put("modalities", new JsonArray().add("text"));
    chat(user, body, "svc-ok-" + UUID.randomUUID()).expect(200);
    JsonObject up = f.fake.last().body();
    assertThat(up.getInteger("max_completion_tokens")).isEqualTo(8192);
    assertThat(up.getString("service_tier")).isEqualTo("auto");
    chat(user, hello().put("service_tier", "default").put("max_tokens", 100), "svc-ok-" + UUID.randomUUID()).expect(200);
    assertThat(f.fake.last().body().getInteger("max_tokens")).isEqualTo(100);
  }

  @Test
  void theCallersOwnKeyPassesEverythingThrough() throws Exception {
    Users.Registered user = Users.register(f.api);
    f.api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "openai")
      .put("api_key", "sk-user-byok-multiplier-1")).send().expect(201);
    String requestId = "svc-byok-" + UUID.randomUUID();
    JsonObject body = hello().put("n", 3).put("service_tier", "priority").put("max_completion_tokens", 100_000)
      .put("prediction", new JsonObject().put("type", "content").put("content", "Hello"));
    chat(user, body, requestId).expect(200);
    JsonObject up = f.fake.last().body();
    assertThat(f.fake.last().headers().get("authorization")).isEqualTo("Bearer sk-user-byok-multiplier-1");
    assertThat(up.getInteger("n")).isEqualTo(3);
    assertThat(up.getString("service_tier")).isEqualTo("priority");
    assertThat(up.getInteger("max_completion_tokens")).isEqualTo(100_000);
    assertThat(up.getJsonObject("prediction")).isNotNull();
    assertThat(f.waitForUsage(user.id(), requestId).getBoolean("is_byok")).isTrue();
  }

  @Test
  void aPlanThatIncludesAnOptionOrAllowsMoreLetsItThrough() throws Exception {
    JsonObject reg = f.api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL)
      .put("password", Users.PASSWORD)).send().expect(201).json();
    Users.Registered admin = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
    Users.verify(f.app, admin);
    Users.Registered user = Users.register(f.api);
    f.api.call("setUserPlan").bearer(admin.token()).path("id", user.id())
      .body(new JsonObject().put("plan_id", "pro")).send().expect(200);

    chat(user, hello().put("n", 3).put("service_tier", "priority").put("max_completion_tokens", 20_000)
      .put("web_search_options", new JsonObject()), "svc-pro-" + UUID.randomUUID()).expect(200);
    JsonObject up = f.fake.last().body();
    assertThat(up.getInteger("n")).isEqualTo(3);
    assertThat(up.getString("service_tier")).isEqualTo("priority");
    assertThat(up.getJsonObject("web_search_options")).isNotNull();
    // what the pro plan here does not include stays refused
    refused(user, hello().put("n", 4), "n", ServiceKeyCallCheck.OVER_PLAN);
    refused(user, hello().put("max_completion_tokens", 20_001), "max_completion_tokens", ServiceKeyCallCheck.OVER_PLAN);
    refused(user, hello().put("audio", new JsonObject().put("voice", "alloy")), "audio", ServiceKeyCallCheck.NOT_IN_PLAN);
  }
}
