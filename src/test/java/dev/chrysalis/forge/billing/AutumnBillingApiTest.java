package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Contract;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Autumn mode against a fake Autumn: customers, checks with fallback, the outbox, checkout and portal. */
@ExtendWith(VertxExtension.class)
class AutumnBillingApiTest {

  private static final String ADMIN_EMAIL = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static FakeAutumn autumn;
  private static TestApp app;
  private static Api api;
  private static BillingService billing;
  private static FakeMembership members;

  static Map<String, String> autumnEnv(FakeAutumn fake) {
    return TestApp.env(
      "AUTUMN_SECRET_KEY", FakeAutumn.SECRET,
      "AUTUMN_API_BASE", fake.baseUrl(),
      "CHRYSALIS_AUTUMN_TIMEOUT_MS", "500",
      "CHRYSALIS_BILLING_OUTBOX_INTERVAL_MS", "100",
      "CHRYSALIS_BILLING_OUTBOX_BACKOFF_BASE_MS", "50",
      "CHRYSALIS_BILLING_OUTBOX_BACKOFF_MAX_MS", "200",
      "CHRYSALIS_FREE_DAILY_LIMIT", "3",
      "CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL,
      "CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS", FakeMembership.ADDRESS);
  }

  @BeforeAll
  static void start() {
    autumn = new FakeAutumn();
    app = TestApp.start(autumnEnv(autumn));
    api = app.api();
    billing = BillingService.createProxy(app.vertx());
    members = new FakeMembership(app.vertx());
  }

  private static Users.Registered operator;

  /** The operator: registered once, with its address proven through the verification mail. */
  private static synchronized Users.Registered operator() {
    if (operator == null) {
      JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
        .send().expect(201).json();
      operator = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
      Users.verify(app, operator);
    }
    return operator;
  }

  @AfterAll
  static void stop() {
    members.close();
    app.close();
    autumn.close();
  }

  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static long count(String databaseUrl, String sql) {
    try (Connection c = TestDatabase.connect(databaseUrl); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject event(String userId, String model) {
    return new JsonObject().put("id", "req_" + UUID.randomUUID()).put("user_id", userId).put("model", model)
      .put("provider", "openai").put("input_tokens", 100).put("output_tokens", 20);
  }

  private static Users.Registered customer() {
    Users.Registered u = Users.register(api);
    eventually("Autumn customer for " + u.id(), () -> autumn.customers.containsKey(u.id()));
    return u;
  }

  @Test
  void registrationCreatesTheCustomerWithTheEmailAndPinnedVersion() {
    Users.Registered u = customer();
    assertThat(autumn.customers.get(u.id()).getString("email")).isEqualTo(u.email());
    assertThat(autumn.applied("cus:" + u.id())).isEqualTo(1);
    assertThat(autumn.versionsSeen).containsExactly("2.3.0");
  }

  @Test
  void everyUsageEventIsDeliveredExactlyOnceThroughFailuresAndATimeout(VertxTestContext ctx) throws Throwable {
    Users.Registered u = customer();
    autumn.failNext("balances.track", 3);
    autumn.slowNext("balances.track", 1, 1_500);
    List<String> ids = new ArrayList<>();
    Future<Void> recorded = Future.succeededFuture();
    for (int i = 0; i < 5; i++) {
      JsonObject e = event(u.id(), "gpt-4o-mini");
      ids.add(e.getString("id"));
      recorded = recorded.compose(v -> billing.recordUsage(e)).map(r -> {
        ctx.verify(() -> assertThat(r.getBoolean("recorded")).as("recorded %s", e.getString("id")).isTrue());
        return null;
      });
    }
    // the same event again: recorded once, so delivered once
    recorded.compose(v -> billing.recordUsage(event(u.id(), "gpt-4o-mini").put("id", ids.get(0))))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertThat(r.getBoolean("recorded")).as("a repeated event").isFalse();
        ctx.completeNow();
      })));
    assertThat(ctx.awaitCompletion(60, TimeUnit.SECONDS)).as("usage recorded").isTrue();
    if (ctx.failed()) {
      throw ctx.causeOfFailure();
    }
    eventually("outbox drained for " + u.id(), () -> count(app.databaseUrl(),
      "SELECT COUNT(*) FROM billing_outbox WHERE delivered_at IS NOT NULL AND id LIKE 'trk:" + u.id() + ":%'") == 5);
    for (String id : ids) {
      assertThat(autumn.applied("trk:" + u.id() + ":" + id)).as("deliveries of " + id).isEqualTo(1);
    }
    List<JsonObject> mine = autumn.tracks.stream().filter(t -> u.id().equals(t.getString("customer_id"))).toList();
    assertThat(mine).hasSize(5);
    assertThat(mine.get(0).getString("feature_id")).isEqualTo("messages");
    assertThat(mine.get(0).getInteger("value")).isEqualTo(1);
    assertThat(mine.get(0).getJsonObject("properties").getString("model")).isEqualTo("gpt-4o-mini");
    assertThat(mine.stream().map(t -> t.getJsonObject("properties").getString("request_id")).toList())
      .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(autumn.conflicts.get()).isPositive();
    assertThat(count(app.databaseUrl(), "SELECT MAX(attempts) FROM billing_outbox WHERE id LIKE 'trk:" + u.id() + ":%'"))
      .isGreaterThan(1);
    assertThat(count(app.databaseUrl(), "SELECT COUNT(*) FROM billing_outbox WHERE failed_at IS NOT NULL")).isZero();
    // the retries and deliveries show on /metrics (issue 8 names)
    String metrics = api.call("getMetrics").send().expect(200).text();
    assertThat(metrics).containsPattern("forge_billing_outbox_failures_total\\{reason=\"retry\"} [1-9]");
    assertThat(metrics).containsPattern("forge_billing_outbox_delivered_total [1-9]");
    assertThat(metrics).contains("forge_billing_outbox_backlog ");
  }

  @Test
  void autumnDownRequestsAreStillServedWithinTheLocalQuota() {
    Users.Registered u = customer();
    autumn.down(true);
    try {
      for (int i = 0; i < 3; i++) {
        JsonObject r = Bus.await(billing.reserveMessage(new JsonObject().put("user_id", u.id())
          .put("request_id", "req_" + i)));
        assertThat(r.getInteger("remaining")).isEqualTo(2 - i);
        Bus.await(billing.recordUsage(event(u.id(), "gpt-4o-mini").put("reservation_id", r.getString("reservation_id"))));
      }
      Bus.failure(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_4")), 402,
        "quota_exceeded");
      JsonObject plan = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
      assertThat(plan.getString("plan_id")).isEqualTo("free");
      assertThat(plan.getString("source")).isEqualTo("fallback");
      assertThat(plan.getInteger("remaining_today")).isZero();
      JsonObject admin = Bus.await(billing.status(operator().id()));
      assertThat(admin.getJsonObject("metrics").getLong("check_fallbacks")).isPositive();
      assertThat(admin.getJsonObject("metrics").getLong("plan_fallbacks")).isPositive();
      assertThat(admin.getJsonObject("outbox").getLong("pending")).isGreaterThanOrEqualTo(3);
      Api.Resp checkout = api.call("createCheckout").bearer(u.token()).body(new JsonObject().put("plan_id", "pro")).send();
      assertThat(checkout.status()).isEqualTo(502);
      assertThat(checkout.error().getString("code")).isEqualTo("billing_upstream_error");
    } finally {
      autumn.down(false);
    }
    eventually("usage delivered after Autumn came back", () -> autumn.tracks.stream()
      .filter(t -> u.id().equals(t.getString("customer_id"))).count() == 3);
  }

  @Test
  void autumnSayingNoRefusesEvenWithLocalQuotaLeft() {
    Users.Registered u = customer();
    autumn.allowed.put(u.id(), false);
    Bus.failure(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_1")), 402,
      "quota_exceeded");
    assertThat(api.call("getBillingPlan").bearer(u.token()).send().expect(200).json().getInteger("used_today")).isZero();
  }

  @Test
  void checksAreCachedBriefly() {
    Users.Registered u = customer();
    int before = autumn.checks.get();
    for (int i = 0; i < 3; i++) {
      Bus.await(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_" + i)));
    }
    assertThat(autumn.checks.get() - before).isEqualTo(1);
  }

  @Test
  void planIsTheActiveSubscriptionCachedUntilRefreshed() {
    Users.Registered u = customer();
    JsonObject before = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(before.getString("plan_id")).isEqualTo("free");
    assertThat(before.getString("source")).isEqualTo("autumn");

    JsonObject checkout = api.call("createCheckout").bearer(u.token()).body(new JsonObject().put("plan_id", "pro")
      .put("success_url", "https://app.example.test/billing/done").put("cancel_url", "https://app.example.test/billing"))
      .send().expect(200).json();
    assertThat(checkout.getString("url")).isEqualTo("https://checkout.stripe.test/c/pro");
    JsonObject attach = autumn.attaches.stream().filter(a -> u.id().equals(a.getString("customer_id"))).findFirst()
      .orElseThrow();
    assertThat(attach.getString("plan_id")).isEqualTo("pro");
    assertThat(attach.getString("success_url")).isEqualTo("https://app.example.test/billing/done");

    JsonObject cached = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(cached.getString("plan_id")).isEqualTo("free");
    autumn.subscribe(u.id(), "pro");
    assertThat(api.call("getBillingPlan").bearer(u.token()).send().expect(200).json().getString("plan_id"))
      .isEqualTo("free");
    JsonObject after = api.call("getBillingPlan").bearer(u.token()).query("refresh", "true").send().expect(200).json();
    assertThat(after.getString("plan_id")).isEqualTo("pro");
    assertThat(after.getInteger("daily_limit")).isEqualTo(1000);
    Bus.await(billing.requireFeature(u.id(), null, "advanced_models"));

    JsonObject portal = api.call("openBillingPortal").bearer(u.token())
      .body(new JsonObject().put("return_url", "https://app.example.test/")).send().expect(200).json();
    assertThat(portal.getString("url")).isEqualTo("https://billing.stripe.test/p/" + u.id());
  }

  @Test
  void orgCheckoutNeedsAnOwnerOrAdmin() {
    Users.Registered owner = customer();
    Users.Registered member = customer();
    String org = "org_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    members.add(org, owner.id(), "owner");
    members.add(org, member.id(), "member");
    Api.Resp refused = api.call("createCheckout").bearer(member.token())
      .body(new JsonObject().put("plan_id", "team").put("org_id", org)).send();
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.error().getString("code")).isEqualTo("org_admin_required");
    // an org the caller is not in: the same 404 as everywhere, for checkout and the portal alike
    Users.Registered outsider = customer();
    Api.Resp notMember = api.call("createCheckout").bearer(outsider.token())
      .body(new JsonObject().put("plan_id", "team").put("org_id", org)).send();
    assertThat(notMember.status()).isEqualTo(404);
    assertThat(notMember.error().getString("code")).isEqualTo("org_not_found");
    Api.Resp portalNotMember = api.call("openBillingPortal").bearer(outsider.token())
      .body(new JsonObject().put("org_id", org)).send();
    assertThat(portalNotMember.status()).isEqualTo(404);
    assertThat(Contract.documentedStatuses("createCheckout")).contains("404");
    assertThat(Contract.documentedStatuses("openBillingPortal")).contains("404");
    JsonObject ok = api.call("createCheckout").bearer(owner.token())
      .body(new JsonObject().put("plan_id", "team").put("org_id", org)).send().expect(200).json();
    assertThat(ok.getString("url")).isEqualTo("https://checkout.stripe.test/c/team");
    assertThat(autumn.customers).containsKey(org);
    autumn.subscribe(org, "team");
    JsonObject plan = api.call("getBillingPlan").bearer(member.token()).query("org_id", org).query("refresh", "true")
      .send().expect(200).json();
    assertThat(plan.getString("plan_id")).isEqualTo("team");
    Bus.await(billing.requireFeature(member.id(), org, "shared_threads"));
    Bus.failure(billing.requireFeature(member.id(), null, "shared_threads"), 402, "feature_not_available");
  }

  @Test
  void checkoutErrors() {
    Users.Registered u = customer();
    Api.Resp unknown = api.call("createCheckout").bearer(u.token()).body(new JsonObject().put("plan_id", "platinum")).send();
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.error().getString("code")).isEqualTo("unknown_plan");
    autumn.failNext("billing.attach", 1);
    Api.Resp failing = api.call("createCheckout").bearer(u.token()).body(new JsonObject().put("plan_id", "pro")).send();
    assertThat(failing.status()).isEqualTo(502);
    assertThat(failing.error().getString("type")).isEqualTo("upstream_error");
    assertThat(failing.text()).doesNotContain(FakeAutumn.SECRET).doesNotContain("127.0.0.1");
  }

  @Test
  void operatorsCannotAssignPlansInAutumnMode() {
    Users.Registered u = Users.register(api);
    String token = operator().token();
    Api.Resp r = api.call("setUserPlan").bearer(token).path("id", u.id()).body(new JsonObject().put("plan_id", "pro")).send();
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error().getString("code")).isEqualTo("plans_managed_by_autumn");
    JsonObject status = api.call("getBillingStatus").bearer(token).send().expect(200).json();
    assertThat(status.getString("mode")).isEqualTo("autumn");
  }
}
