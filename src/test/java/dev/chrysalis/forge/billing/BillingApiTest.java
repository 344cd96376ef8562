package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Local ledger mode: plans, exact quotas, feature gates, org plans, the ledger, operator endpoints. */
@ExtendWith(VertxExtension.class)
class BillingApiTest {

  private static final String ADMIN_EMAIL = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static TestApp app;
  private static Api api;
  private static BillingService billing;
  private static FakeMembership members;
  private static Users.Registered admin;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env(
      "CHRYSALIS_FREE_DAILY_LIMIT", "15",
      "CHRYSALIS_ADMIN_EMAILS", "someone@else.test, " + ADMIN_EMAIL.toUpperCase(),
      "CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS", FakeMembership.ADDRESS));
    api = app.api();
    billing = BillingService.createProxy(app.vertx());
    members = new FakeMembership(app.vertx());
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
      .send().expect(201).json();
    admin = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
    Users.verify(app, admin);
  }

  @AfterAll
  static void stop() {
    members.close();
    app.close();
  }

  private static String orgId() {
    return "org_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  }

  private static JsonObject reserve(String userId, String orgId) {
    return Bus.await(billing.reserveMessage(new JsonObject().put("user_id", userId).put("org_id", orgId)
      .put("request_id", "req_" + UUID.randomUUID())));
  }

  @Test
  void plansArePublicAndFreeLimitComesFromTheEnvironment() {
    JsonObject plans = api.call("listPlans").send().expect(200).json();
    assertThat(plans.getString("default_plan")).isEqualTo("free");
    JsonArray data = plans.getJsonArray("data");
    assertThat(data).hasSize(4);
    JsonObject free = data.getJsonObject(0);
    assertThat(free.getString("plan_id")).isEqualTo("free");
    assertThat(free.getInteger("daily_limit")).isEqualTo(15);
    assertThat(free.getJsonArray("features")).containsExactly("basic_models");
    JsonObject team = data.getJsonObject(2);
    assertThat(team.getValue("daily_limit")).isNull();
    assertThat(team.getJsonArray("features")).contains("organizations", "shared_threads", "admin_controls");
    assertThat(data.getJsonObject(3).getJsonArray("features")).contains("sso", "audit_logs", "dedicated_support", "self_host");
  }

  @Test
  void newUserIsOnTheDefaultPlanWithTheWholeDayLeft() {
    Users.Registered u = Users.register(api);
    JsonObject plan = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(plan.getString("plan_id")).isEqualTo("free");
    assertThat(plan.getString("source")).isEqualTo("default");
    assertThat(plan.getInteger("used_today")).isZero();
    assertThat(plan.getInteger("remaining_today")).isEqualTo(15);
    assertThat(plan.getString("resets_at")).endsWith("T00:00:00Z");

    JsonObject viaBus = Bus.await(billing.getPlan(u.id(), null));
    assertThat(viaBus.getString("plan_id")).isEqualTo("free");
    assertThat(viaBus.getInteger("daily_limit")).isEqualTo(15);
    assertThat(viaBus.getJsonArray("features")).containsExactly("basic_models");
  }

  @Test
  void fiftyConcurrentReservationsWithTenLeftLetExactlyTenThrough() {
    Users.Registered u = Users.register(api);
    for (int i = 0; i < 5; i++) {
      reserve(u.id(), null);
    }
    List<Future<JsonObject>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_c" + i)));
    }
    int ok = 0;
    int refused = 0;
    List<String> reservations = new ArrayList<>();
    for (Future<JsonObject> f : calls) {
      try {
        reservations.add(Bus.await(f).getString("reservation_id"));
        ok++;
      } catch (ServiceException e) {
        assertThat(e.failureCode()).isEqualTo(402);
        assertThat(e.getDebugInfo().getString("code")).isEqualTo("quota_exceeded");
        assertThat(e.getMessage()).isEqualTo("Usage limit reached. Please upgrade your plan.");
        refused++;
      }
    }
    assertThat(ok).isEqualTo(10);
    assertThat(refused).isEqualTo(40);
    assertThat(reservations).doesNotHaveDuplicates();

    JsonObject plan = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(plan.getInteger("used_today")).isEqualTo(15);
    assertThat(plan.getInteger("remaining_today")).isZero();

    // an upstream failure gives the message back, once
    JsonObject released = Bus.await(billing.releaseMessage(reservations.get(0)));
    assertThat(released.getBoolean("released")).isTrue();
    JsonObject again = Bus.await(billing.releaseMessage(reservations.get(0)));
    assertThat(again.getBoolean("released")).isFalse();
    assertThat(again.getString("status")).isEqualTo("released");
    assertThat(reserve(u.id(), null).getInteger("remaining")).isZero();
    Bus.failure(billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_x")), 402,
      "quota_exceeded");
  }

  @Test
  void releaseOfAnUnknownOrConsumedReservation(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    String[] reservation = new String[1];
    BusFlow.refused(billing.releaseMessage("rsv_doesnotexist"), 404, "not_found")
      .compose(v -> BusFlow.refused(billing.releaseMessage("bad id with spaces"), 400, "invalid_request"))
      .compose(v -> billing.reserveMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_" + UUID.randomUUID())))
      .compose(r -> {
        reservation[0] = r.getString("reservation_id");
        return billing.recordUsage(new JsonObject().put("id", "req_" + UUID.randomUUID()).put("user_id", u.id())
          .put("model", "gpt-4o-mini").put("provider", "openai").put("input_tokens", 10).put("output_tokens", 5)
          .put("reservation_id", reservation[0]));
      })
      .compose(recorded -> billing.releaseMessage(reservation[0]))
      .compose(rel -> {
        ctx.verify(() -> {
          assertThat(rel.getBoolean("released")).isFalse();
          assertThat(rel.getString("status")).isEqualTo("consumed");
        });
        return billing.getPlan(u.id(), null);
      })
      .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
        assertThat(plan.getString("plan_id")).isEqualTo("free");
        ctx.completeNow();
      })));
    BusFlow.await(ctx);
  }

  @Test
  void unlimitedPlansReserveNothingAndCountRecordedMessages() {
    Users.Registered u = Users.register(api);
    setPlan("setUserPlan", u.id(), "team").expect(200);
    JsonObject r = reserve(u.id(), null);
    assertThat(r.getValue("reservation_id")).isNull();
    assertThat(r.getValue("remaining")).isNull();
    assertThat(r.getString("plan_id")).isEqualTo("team");
    for (int i = 0; i < 3; i++) {
      Bus.await(billing.recordUsage(new JsonObject().put("id", "req_" + UUID.randomUUID()).put("user_id", u.id())
        .put("model", "gpt-4o-mini").put("provider", "openai").put("input_tokens", 10).put("output_tokens", 5)));
    }
    JsonObject plan = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(plan.getInteger("used_today")).isEqualTo(3);
    assertThat(plan.getValue("remaining_today")).isNull();
  }

  @Test
  void admissionChecksTheModelBeforeTakingAMessage(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    JsonObject before = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    BusFlow.refused(billing.admitMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_" + UUID.randomUUID())
        .put("model", "gpt-4o")), 402, "feature_not_available")
      .compose(refused -> billing.planStatus(u.id(), null, false))
      .compose(afterRefusal -> {
        ctx.verify(() -> assertThat(afterRefusal.getInteger("used_today")).isEqualTo(before.getInteger("used_today")));
        return billing.admitMessage(new JsonObject().put("user_id", u.id())
          .put("request_id", "req_" + UUID.randomUUID()).put("model", "gpt-4o-mini"));
      })
      .compose(admitted -> {
        ctx.verify(() -> {
          assertThat(admitted.getString("tier")).isEqualTo("basic");
          assertThat(admitted.getString("reservation_id")).startsWith("rsv_");
          assertThat(admitted.getInteger("remaining")).isEqualTo(before.getInteger("remaining_today") - 1);
        });
        // no model named: refused before anything is taken
        return BusFlow.refused(billing.admitMessage(new JsonObject().put("user_id", u.id()).put("request_id", "req_1")),
          400, "invalid_request");
      })
      .onComplete(ctx.succeedingThenComplete());
    BusFlow.await(ctx);
    JsonObject after = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(after.getInteger("used_today")).isEqualTo(before.getInteger("used_today") + 1);
  }

  @Test
  void reserveRejectsBadInput(VertxTestContext ctx) {
    Future.all(
        BusFlow.refused(billing.reserveMessage(new JsonObject().put("user_id", "usr_x")), 400, "invalid_request"),
        BusFlow.refused(billing.reserveMessage(new JsonObject().put("request_id", "req_1")), 400, "invalid_request"),
        BusFlow.refused(billing.reserveMessage(new JsonObject().put("user_id", "usr_x").put("request_id", "req_1")
          .put("org_id", "org with spaces")), 400, "invalid_request"))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void featureGatesFollowThePlan() {
    Users.Registered u = Users.register(api);
    assertThat(Bus.await(billing.requireFeature(u.id(), null, "basic_models"))).isEqualTo(new JsonObject());
    for (String feature : List.of("advanced_models", "organizations", "shared_threads", "audit_logs", "admin_controls",
      "sso", "priority_support")) {
      ServiceException e = Bus.failure(billing.requireFeature(u.id(), null, feature), 402, "feature_not_available");
      assertThat(e.getDebugInfo().getJsonObject("extra").getString("feature")).isEqualTo(feature);
    }
    assertThat(Bus.await(billing.checkModel(u.id(), null, "gpt-4o-mini")).getString("tier")).isEqualTo("basic");
    Bus.failure(billing.checkModel(u.id(), null, "gpt-4o"), 402, "feature_not_available");

    setPlan("setUserPlan", u.id(), "pro").expect(200);
    assertThat(Bus.await(billing.requireFeature(u.id(), null, "advanced_models"))).isEqualTo(new JsonObject());
    assertThat(Bus.await(billing.checkModel(u.id(), null, "gpt-4o")).getString("tier")).isEqualTo("advanced");
    Bus.failure(billing.requireFeature(u.id(), null, "organizations"), 402, "feature_not_available");

    setPlan("setUserPlan", u.id(), "team").expect(200);
    for (String feature : List.of("organizations", "shared_threads", "admin_controls")) {
      Bus.await(billing.requireFeature(u.id(), null, feature));
    }
    Bus.failure(billing.requireFeature(u.id(), null, "audit_logs"), 402, "feature_not_available");

    setPlan("setUserPlan", u.id(), "enterprise").expect(200);
    for (String feature : List.of("audit_logs", "sso", "dedicated_support", "self_host")) {
      Bus.await(billing.requireFeature(u.id(), null, feature));
    }
    JsonObject plan = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(plan.getString("plan_id")).isEqualTo("enterprise");
    assertThat(plan.getString("source")).isEqualTo("local");
    assertThat(plan.getValue("remaining_today")).isNull();
  }

  @Test
  void orgContextUsesTheOrgPlanOnlyForMembers() {
    Users.Registered owner = Users.register(api);
    Users.Registered outsider = Users.register(api);
    String org = orgId();
    members.add(org, owner.id(), "member");
    setPlan("setOrgPlan", org, "team").expect(200);

    JsonObject plan = api.call("getBillingPlan").bearer(owner.token()).query("org_id", org).send().expect(200).json();
    assertThat(plan.getString("plan_id")).isEqualTo("team");
    assertThat(plan.getString("org_id")).isEqualTo(org);
    Bus.await(billing.requireFeature(owner.id(), org, "shared_threads"));
    Bus.failure(billing.requireFeature(owner.id(), null, "shared_threads"), 402, "feature_not_available");

    Api.Resp denied = api.call("getBillingPlan").bearer(outsider.token()).query("org_id", org).send();
    assertThat(denied.status()).isEqualTo(404);
    assertThat(denied.error().getString("code")).isEqualTo("org_not_found");
    Bus.failure(billing.reserveMessage(new JsonObject().put("user_id", outsider.id()).put("org_id", org)
      .put("request_id", "req_1")), 404, "org_not_found");
    Bus.failure(billing.requireFeature(outsider.id(), org, "shared_threads"), 404, "org_not_found");

    // the org's quota is its own: a limited org plan counts separately from the member's
    String small = orgId();
    members.add(small, owner.id(), "owner");
    members.add(small, outsider.id(), "member");
    for (int i = 0; i < 15; i++) {
      reserve(i % 2 == 0 ? owner.id() : outsider.id(), small);
    }
    Bus.failure(billing.reserveMessage(new JsonObject().put("user_id", owner.id()).put("org_id", small)
      .put("request_id", "req_2")), 402, "quota_exceeded");
    assertThat(reserve(owner.id(), null).getInteger("remaining")).isEqualTo(14);
  }

  @Test
  void ledgerAggregatesEqualTheEventsAndDuplicatesCountOnce() throws Exception {
    Users.Registered u = Users.register(api);
    Random random = new Random(42);
    String[] models = {"gpt-4o-mini", "claude-haiku-4-5", "some-unknown-model"};
    long in = 0;
    long out = 0;
    List<JsonObject> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      JsonObject e = new JsonObject().put("id", "req_" + UUID.randomUUID()).put("user_id", u.id())
        .put("session_id", "ses_1").put("model", models[i % 3]).put("provider", "openai")
        .put("input_tokens", random.nextInt(5000)).put("output_tokens", random.nextInt(2000))
        .put("is_byok", i % 4 == 0).put("provider_key_id", i % 4 == 0 ? "pk_1" : null);
      if (i % 5 == 0) {
        e.put("estimated", true);
      }
      events.add(e);
      in += e.getInteger("input_tokens");
      out += e.getInteger("output_tokens");
      assertThat(Bus.await(billing.recordUsage(e)).getBoolean("recorded")).isTrue();
    }
    // replays of the same request ids change nothing
    for (int i = 0; i < 5; i++) {
      assertThat(Bus.await(billing.recordUsage(events.get(i))).getBoolean("recorded")).isFalse();
    }
    JsonObject one = Bus.await(billing.recordUsage(new JsonObject().put("id", "req_" + UUID.randomUUID())
      .put("user_id", u.id()).put("model", "gpt-4o").put("provider", "openai").put("input_tokens", 1_000_000)
      .put("output_tokens", 1_000_000)));
    assertThat(one.getDouble("cost_usd")).isEqualTo(12.5);

    JsonObject usage = api.call("getBillingUsage").bearer(u.token()).query("period", "day").send().expect(200).json();
    assertThat(usage.getLong("messages")).isEqualTo(31);
    assertThat(usage.getLong("input_tokens")).isEqualTo(in + 1_000_000);
    assertThat(usage.getLong("output_tokens")).isEqualTo(out + 1_000_000);
    assertThat(usage.getLong("tokens")).isEqualTo(in + out + 2_000_000);
    assertThat(usage.getJsonArray("by_model")).hasSize(4);
    double byModelCost = 0;
    long byModelMessages = 0;
    for (int i = 0; i < 4; i++) {
      byModelCost += usage.getJsonArray("by_model").getJsonObject(i).getDouble("cost_usd");
      byModelMessages += usage.getJsonArray("by_model").getJsonObject(i).getLong("messages");
    }
    assertThat(byModelMessages).isEqualTo(31);
    assertThat(usage.getDouble("cost_usd")).isCloseTo(byModelCost, org.assertj.core.data.Offset.offset(1e-6));
    JsonObject month = api.call("getBillingUsage").bearer(u.token()).query("period", "month").send().expect(200).json();
    assertThat(month.getLong("messages")).isEqualTo(31);
    JsonObject current = api.call("getBillingUsage").bearer(u.token()).send().expect(200).json();
    assertThat(current.getString("period")).isEqualTo("current");
    assertThat(current.getInteger("daily_limit")).isEqualTo(15);

    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement()) {
      ResultSet events1 = s.executeQuery("SELECT COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd) "
        + "FROM usage_events WHERE user_id = '" + u.id() + "'");
      events1.next();
      long n = events1.getLong(1);
      long sumIn = events1.getLong(2);
      long sumOut = events1.getLong(3);
      java.math.BigDecimal cost = events1.getBigDecimal(4);
      ResultSet daily = s.executeQuery("SELECT SUM(messages), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd) "
        + "FROM usage_daily WHERE user_id = '" + u.id() + "'");
      daily.next();
      assertThat(daily.getLong(1)).isEqualTo(n).isEqualTo(31);
      assertThat(daily.getLong(2)).isEqualTo(sumIn);
      assertThat(daily.getLong(3)).isEqualTo(sumOut);
      assertThat(daily.getBigDecimal(4)).isEqualByComparingTo(cost);
      ResultSet byok = s.executeQuery("SELECT COUNT(*) FROM usage_events WHERE is_byok AND provider_key_id = 'pk_1' "
        + "AND user_id = '" + u.id() + "'");
      byok.next();
      assertThat(byok.getLong(1)).isEqualTo(8);
      // events that do not say are counted as reported
      ResultSet estimated = s.executeQuery("SELECT COUNT(*) FILTER (WHERE estimated), COUNT(*) FILTER (WHERE NOT estimated) "
        + "FROM usage_events WHERE user_id = '" + u.id() + "'");
      estimated.next();
      assertThat(estimated.getLong(1)).isEqualTo(6);
      assertThat(estimated.getLong(2)).isEqualTo(25);
    }
  }

  @Test
  void orgUsageIsSeparateFromPersonalUse() {
    Users.Registered u = Users.register(api);
    String org = orgId();
    members.add(org, u.id(), "member");
    Bus.await(billing.recordUsage(new JsonObject().put("id", "req_" + UUID.randomUUID()).put("user_id", u.id())
      .put("org_id", org).put("model", "gpt-4o-mini").put("provider", "openai").put("input_tokens", 7)));
    JsonObject orgUsage = api.call("getBillingUsage").bearer(u.token()).query("org_id", org).query("period", "day")
      .send().expect(200).json();
    assertThat(orgUsage.getLong("messages")).isEqualTo(1);
    assertThat(orgUsage.getLong("input_tokens")).isEqualTo(7);
    JsonObject personal = api.call("getBillingUsage").bearer(u.token()).query("period", "day").send().expect(200).json();
    assertThat(personal.getLong("messages")).isZero();
    Users.Registered outsider = Users.register(api);
    assertThat(api.call("getBillingUsage").bearer(outsider.token()).query("org_id", org).send().status()).isEqualTo(404);
  }

  @Test
  void recordUsageRejectsBadEventsAndStoresNothing(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    JsonObject good = new JsonObject().put("id", "req_bad1").put("user_id", u.id()).put("model", "gpt-4o-mini")
      .put("provider", "openai").put("input_tokens", 1).put("output_tokens", 1);
    List<JsonObject> bad = List.of(good.copy().put("input_tokens", -1), good.copy().put("output_tokens", "many"),
      good.copy().put("input_tokens", 1.5), withoutModel(good), good.copy().put("id", ""), good.copy().put("is_byok", "yes"),
      good.copy().put("estimated", "yes"), good.copy().put("model", "m".repeat(301)));
    Future.all(bad.stream().map(e -> BusFlow.refused(billing.recordUsage(e), 400, "invalid_request")).toList())
      .onComplete(ctx.succeedingThenComplete());
    BusFlow.await(ctx);
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement()) {
      ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage_events WHERE user_id = '" + u.id() + "'");
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
  }

  private static JsonObject withoutModel(JsonObject o) {
    JsonObject c = o.copy();
    c.remove("model");
    return c;
  }

  @Test
  void operatorsAssignPlansAndEveryoneElseIsRefused() {
    Users.Registered u = Users.register(api);
    Api.Resp notAdmin = api.call("setUserPlan").bearer(u.token()).path("id", u.id())
      .body(new JsonObject().put("plan_id", "enterprise")).send();
    assertThat(notAdmin.status()).isEqualTo(403);
    assertThat(notAdmin.error().getString("code")).isEqualTo("admin_only");
    assertThat(api.call("setOrgPlan").bearer(u.token()).path("id", orgId())
      .body(new JsonObject().put("plan_id", "team")).send().status()).isEqualTo(403);

    Api.Resp unknownPlan = setPlan("setUserPlan", u.id(), "platinum");
    assertThat(unknownPlan.status()).isEqualTo(400);
    assertThat(unknownPlan.error().getString("code")).isEqualTo("unknown_plan");
    assertThat(unknownPlan.error().getString("param")).isEqualTo("plan_id");
    Api.Resp unknownUser = setPlan("setUserPlan", "usr_nobody", "pro");
    assertThat(unknownUser.status()).isEqualTo(404);
    Api.Resp extra = api.call("setUserPlan").bearer(admin.token()).path("id", u.id())
      .body(new JsonObject().put("plan_id", "pro").put("daily_limit", 100000)).send();
    assertThat(extra.status()).isEqualTo(400);
    assertThat(extra.error().getString("type")).isEqualTo("invalid_request_error");
    Api.Resp missing = api.call("setUserPlan").bearer(admin.token()).path("id", u.id()).body(new JsonObject()).send();
    assertThat(missing.status()).isEqualTo(400);
    Api.Resp badId = api.call("setUserPlan").bearer(admin.token()).path("id", "not valid!")
      .body(new JsonObject().put("plan_id", "pro")).send();
    assertThat(badId.status()).isEqualTo(400);
    // none of that changed anything
    assertThat(Bus.await(billing.getPlan(u.id(), null)).getString("plan_id")).isEqualTo("free");

    JsonObject ok = setPlan("setUserPlan", u.id(), "pro").expect(200).json();
    assertThat(ok.getString("subject_type")).isEqualTo("user");
    assertThat(ok.getJsonObject("plan").getString("plan_id")).isEqualTo("pro");
    JsonObject plan = api.call("getBillingPlan").bearer(u.token()).send().expect(200).json();
    assertThat(plan.getString("plan_id")).isEqualTo("pro");
    assertThat(plan.getInteger("remaining_today")).isEqualTo(1000);

    // an API key needs the write scope for operator endpoints
    String readKey = Users.apiKey(api, admin, "read");
    Api.Resp scoped = api.call("setUserPlan").bearer(readKey).path("id", u.id())
      .body(new JsonObject().put("plan_id", "team")).send();
    assertThat(scoped.status()).isEqualTo(403);
    assertThat(scoped.error().getString("code")).isEqualTo("insufficient_scope");
    assertThat(api.call("setUserPlan").path("id", u.id()).body(new JsonObject().put("plan_id", "team")).send().status())
      .isEqualTo(401);
  }

  @Test
  void statusIsForOperators() {
    Users.Registered u = Users.register(api);
    assertThat(api.call("getBillingStatus").bearer(u.token()).send().status()).isEqualTo(403);
    JsonObject status = api.call("getBillingStatus").bearer(admin.token()).send().expect(200).json();
    assertThat(status.getString("mode")).isEqualTo("local");
    assertThat(status.getJsonObject("outbox").getLong("pending")).isZero();
  }

  @Test
  void checkoutAndPortalNeedAutumn() {
    Users.Registered u = Users.register(api);
    Api.Resp checkout = api.call("createCheckout").bearer(u.token()).body(new JsonObject().put("plan_id", "pro")).send();
    assertThat(checkout.status()).isEqualTo(501);
    assertThat(checkout.error().getString("code")).isEqualTo("billing_not_configured");
    assertThat(checkout.error().getString("type")).isEqualTo("not_implemented");
    Api.Resp portal = api.call("openBillingPortal").bearer(u.token()).body(new JsonObject()).send();
    assertThat(portal.status()).isEqualTo(501);
    assertThat(portal.error().getString("code")).isEqualTo("billing_not_configured");
  }

  @Test
  void badQueryAndBodyValuesAreClear400s() {
    Users.Registered u = Users.register(api);
    Api.Resp period = api.call("getBillingUsage").bearer(u.token()).query("period", "year").send();
    assertThat(period.status()).isEqualTo(400);
    assertThat(period.error().getString("param")).isEqualTo("period");
    // a value that is not a Forge org id names no org the caller belongs to
    Api.Resp org = api.call("getBillingPlan").bearer(u.token()).query("org_id", "../etc").send();
    assertThat(org.status()).isEqualTo(404);
    assertThat(org.error().getString("code")).isEqualTo("org_not_found");
    Api.Resp url = api.call("createCheckout").bearer(u.token())
      .body(new JsonObject().put("plan_id", "pro").put("success_url", "javascript:alert(1)")).send();
    assertThat(url.status()).isEqualTo(400);
    Api.Resp noPlan = api.call("createCheckout").bearer(u.token()).body(new JsonObject()).send();
    assertThat(noPlan.status()).isEqualTo(400);
    Api.Resp extra = api.call("openBillingPortal").bearer(u.token()).body(new JsonObject().put("x", 1)).send();
    assertThat(extra.status()).isEqualTo(400);
    assertThat(api.call("getBillingPlan").send().status()).isEqualTo(401);
  }

  private static Api.Resp setPlan(String op, String id, String planId) {
    return api.call(op).bearer(admin.token()).path("id", id).body(new JsonObject().put("plan_id", planId)).send();
  }
}
