package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operator plan assignments against the real workspace service: an id that names no user or org
 * is a 404 in our error shape and nothing is stored; a workspace that does not answer is a 503.
 */
@ExtendWith(VertxExtension.class)
class AdminPlanApiTest {

  private static final String ADMIN_EMAIL = "plans-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static TestApp app;
  private static Api api;
  private static Users.Registered admin;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env("CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL));
    api = app.api();
    admin = registerAdmin(app);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Users.Registered registerAdmin(TestApp app) {
    JsonObject reg = app.api().call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
      .send().expect(201).json();
    Users.Registered registered = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
    Users.verify(app, registered);
    return registered;
  }

  private static Api.Resp setPlan(Api api, String op, String id, String plan) {
    return api.call(op).bearer(admin.token()).path("id", id).body(new JsonObject().put("plan_id", plan)).send();
  }

  private static long assignments(TestApp app, String id) {
    return Workspaces.count(app, "SELECT count(*) FROM billing_plan_assignments WHERE subject_id = '" + id + "'");
  }

  @Test
  void anUnknownOrgIs404AndNothingIsStored() {
    String unknown = "org_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    Api.Resp r = setPlan(api, "setOrgPlan", unknown, "team").expect(404);
    assertThat(r.error().getString("type")).isEqualTo("not_found");
    assertThat(r.error().getString("code")).isEqualTo("org_not_found");
    assertThat(r.error().getString("message")).isEqualTo("Organization not found.");
    assertThat(assignments(app, unknown)).isZero();

    // someone who is not an operator learns nothing about which orgs exist
    Users.Registered u = Users.register(api);
    Api.Resp refused = api.call("setOrgPlan").bearer(u.token()).path("id", unknown)
      .body(new JsonObject().put("plan_id", "team")).send().expect(403);
    assertThat(refused.error().getString("code")).isEqualTo("admin_only");
  }

  @Test
  void overTheBusAnIdTheWorkspaceFindsMalformedIsAnUnknownOrgToo(VertxTestContext ctx) throws Throwable {
    BillingService billing = BillingService.createProxy(app.vertx());
    BusFlow.refused(billing.assignPlan(new JsonObject().put("actor_id", admin.id())
        .put("subject_type", "org").put("subject_id", "org.with.dots").put("plan_id", "team")), 404, "org_not_found")
      .onComplete(ctx.succeedingThenComplete());
    BusFlow.await(ctx);
    assertThat(assignments(app, "org.with.dots")).isZero();
  }

  @Test
  void anUnknownUserIs404AndNothingIsStored() {
    Api.Resp r = setPlan(api, "setUserPlan", "usr_nobody_here", "pro").expect(404);
    assertThat(r.error().getString("type")).isEqualTo("not_found");
    assertThat(assignments(app, "usr_nobody_here")).isZero();
  }

  @Test
  void aRealOrgGetsItsPlanAndADeletedOneIs404() {
    Users.Registered owner = Users.register(api);
    setPlan(api, "setUserPlan", owner.id(), "team").expect(200);
    String orgId = Workspaces.org(api, owner).getString("id");
    JsonObject ok = setPlan(api, "setOrgPlan", orgId, "enterprise").expect(200).json();
    assertThat(ok.getString("subject_type")).isEqualTo("org");
    assertThat(ok.getString("subject_id")).isEqualTo(orgId);
    assertThat(assignments(app, orgId)).isEqualTo(1);
    JsonObject plan = api.call("getBillingPlan").bearer(owner.token()).query("org_id", orgId).send().expect(200).json();
    assertThat(plan.getString("plan_id")).isEqualTo("enterprise");

    api.call("deleteOrg").bearer(owner.token()).path("id", orgId).send().expect(200);
    setPlan(api, "setOrgPlan", orgId, "free").expect(404);
    assertThat(Workspaces.count(app, "SELECT count(*) FROM billing_plan_assignments WHERE subject_id = '" + orgId
      + "' AND plan_id = 'enterprise'")).as("the earlier assignment is untouched").isEqualTo(1);
  }

  @Test
  void whenTheWorkspaceDoesNotAnswerItIs503AndNothingIsStored() {
    try (TestApp lonely = TestApp.start(TestApp.env("CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL,
      "CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS", "test.nobody.answers." + UUID.randomUUID()))) {
      Users.Registered lonelyAdmin = registerAdmin(lonely);
      String orgId = "org_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
      Api.Resp r = lonely.api().call("setOrgPlan").bearer(lonelyAdmin.token()).path("id", orgId)
        .body(new JsonObject().put("plan_id", "team")).send().expect(503);
      assertThat(r.error().getString("code")).isEqualTo("membership_unavailable");
      assertThat(assignments(lonely, orgId)).isZero();
    }
  }
}
