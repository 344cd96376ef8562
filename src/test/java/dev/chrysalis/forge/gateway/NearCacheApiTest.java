package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm chat path answers from the HTTP verticles' near caches (API-key principals, admissions
 * that count nothing, the service-key resolution) and the in-process rate limiter, and every change
 * an owning service publishes is seen on the very next call: a deleted or expired key is refused,
 * a new plan brings its limits, a key added or deleted for a provider is used or not used.
 */
class NearCacheApiTest {

  private static final String ADMIN = "near-admin@example.test";
  private static GatewayFixture f;
  private static Users.Registered admin;

  @BeforeAll
  static void start() {
    f = new GatewayFixture("CHRYSALIS_ADMIN_EMAILS", ADMIN, "CHRYSALIS_FREE_DAILY_LIMIT", "2",
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "50000");
    JsonObject reg = f.api.call("registerUser").body(new JsonObject().put("email", ADMIN).put("password", Users.PASSWORD))
      .send().expect(201).json();
    admin = new Users.Registered(reg.getString("id"), ADMIN, reg.getString("token"));
    Users.verify(f.app, admin);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String apiKey(Users.Registered user, JsonObject request) {
    return f.api.call("createApiKey").bearer(user.token()).body(request).send().expect(201).json().getString("key");
  }

  private static Api.Resp chat(String credential) {
    return f.api.call("createChatCompletion").bearer(credential).body(GatewayFixture.hello("gpt-4o-mini")).send();
  }

  @Test
  void aWarmChatCallCrossesTheBusOnlyToRecordItsUsage() throws Exception {
    Users.Registered user = Users.register(f.api);
    String key = apiKey(user, new JsonObject());
    chat(key).expect(200);
    chat(key).expect(200);
    List<String> sent = new CopyOnWriteArrayList<>();
    Handler<DeliveryContext<Object>> spy = dc -> {
      if (dc.message().isSend() && dc.message().address().startsWith("forge.")) {
        sent.add(dc.message().address() + " " + dc.message().headers().get("action"));
      }
      dc.next();
    };
    f.app.vertx().eventBus().addOutboundInterceptor(spy);
    try {
      Api.Resp r = chat(key).expect(200);
      assertThat(f.waitForUsage(user.id(), r.header("x-request-id"))).isNotNull();
    } finally {
      f.app.vertx().eventBus().removeOutboundInterceptor(spy);
    }
    assertThat(new ArrayList<>(sent)).containsExactly("forge.billing recordUsage");
  }

  @Test
  void aDeletedKeyIsRefusedOnTheNextCall() {
    Users.Registered user = Users.register(f.api);
    JsonObject created = f.api.call("createApiKey").bearer(user.token()).body(new JsonObject()).send().expect(201).json();
    String key = created.getString("key");
    chat(key).expect(200);
    chat(key).expect(200);
    f.api.call("deleteApiKey").path("id", created.getString("id")).bearer(user.token()).send().expect(200);
    assertThat(chat(key).expect(401).error().getString("code")).isEqualTo("invalid_credentials");
  }

  @Test
  void anExpiredKeyIsRefusedAtItsExpiry() throws Exception {
    Users.Registered user = Users.register(f.api);
    Instant expiry = Instant.now().plusSeconds(3);
    String key = apiKey(user, new JsonObject().put("expires_at", expiry.toString()));
    chat(key).expect(200);
    chat(key).expect(200);
    Thread.sleep(Math.max(0, expiry.toEpochMilli() - System.currentTimeMillis()) + 50);
    assertThat(chat(key).expect(401).error().getString("code")).isEqualTo("invalid_credentials");
  }

  @Test
  void aSuspendedAccountsKeyIsRefusedOnTheNextCall() {
    Users.Registered user = Users.register(f.api);
    String key = apiKey(user, new JsonObject());
    chat(key).expect(200);
    f.api.call("setUserStatus").path("id", user.id()).bearer(admin.token())
      .body(new JsonObject().put("status", "suspended")).send().expect(200);
    assertThat(chat(key).expect(403).error().getString("code")).isEqualTo("account_suspended");
  }

  @Test
  void aNewPlanBringsItsQuotaAndRateLimitOnTheNextCall() {
    Users.Registered user = Users.register(f.api);
    String key = apiKey(user, new JsonObject());
    Api.Resp team = chat(key).expect(200);
    chat(key).expect(200);
    chat(key).expect(200);
    assertThat(team.header("X-RateLimit-Limit")).isEqualTo("60000");
    f.api.call("setUserPlan").path("id", user.id()).bearer(admin.token()).body(new JsonObject().put("plan_id", "free"))
      .send().expect(200);
    // free: two messages a day, 50,000 requests a minute
    assertThat(chat(key).expect(200).header("X-RateLimit-Limit")).isEqualTo("50000");
    chat(key).expect(200);
    assertThat(chat(key).expect(402).error().getString("code")).isEqualTo("quota_exceeded");
    f.api.call("setUserPlan").path("id", user.id()).bearer(admin.token()).body(new JsonObject().put("plan_id", "team"))
      .send().expect(200);
    assertThat(chat(key).expect(200).header("X-RateLimit-Limit")).isEqualTo("60000");
  }

  @Test
  void aProviderKeyAddedOrDeletedIsUsedOrNotOnTheNextCall() {
    Users.Registered user = Users.register(f.api);
    String key = apiKey(user, new JsonObject());
    chat(key).expect(200);
    chat(key).expect(200);
    assertThat(f.fake.last().headers().get("authorization")).isEqualTo("Bearer " + FakeProviders.OPENAI_KEY);
    f.api.call("addProviderKey").bearer(user.token()).body(new JsonObject().put("provider", "openai")
      .put("api_key", "sk-user-near-cache-0001")).send().expect(201);
    chat(key).expect(200);
    assertThat(f.fake.last().headers().get("authorization")).isEqualTo("Bearer sk-user-near-cache-0001");
    f.api.call("deleteProviderKey").path("provider", "openai").bearer(user.token()).send().expect(200);
    chat(key).expect(200);
    assertThat(f.fake.last().headers().get("authorization")).isEqualTo("Bearer " + FakeProviders.OPENAI_KEY);
  }
}
