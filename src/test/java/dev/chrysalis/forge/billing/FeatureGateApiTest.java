package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plan features that gate workspace endpoints, on an app whose new users start on the free
 * plan: organizations (POST /orgs), shared_threads (threads and projects in an org, by the org's
 * plan), audit_logs (GET /orgs/{id}/audit). A refusal is 402 and changes nothing.
 */
class FeatureGateApiTest {

  private static final String ADMIN_EMAIL = "gates-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static TestApp app;
  private static Api api;
  private static Users.Registered admin;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env("CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL));
    api = app.api();
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
      .send().expect(201).json();
    admin = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
    Users.verify(app, admin);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static void userPlan(Users.Registered u, String plan) {
    api.call("setUserPlan").bearer(admin.token()).path("id", u.id()).body(new JsonObject().put("plan_id", plan)).send().expect(200);
  }

  private static void orgPlan(String orgId, String plan) {
    api.call("setOrgPlan").bearer(admin.token()).path("id", orgId).body(new JsonObject().put("plan_id", plan)).send().expect(200);
  }

  private static void assertPaymentRequired(Api.Resp r, String feature) {
    r.expect(402);
    assertThat(r.error().getString("type")).isEqualTo("payment_required");
    assertThat(r.error().getString("code")).isEqualTo("feature_not_available");
    assertThat(r.error().getString("message")).contains(feature);
  }

  @Test
  void creatingAnOrganizationNeedsTheOrganizationsFeature() {
    Users.Registered u = Users.register(api);
    String slug = Workspaces.slug();
    assertPaymentRequired(api.call("createOrg").bearer(u.token()).body(new JsonObject().put("name", "Acme").put("slug", slug))
      .send(), "organizations");
    assertThat(api.call("listOrgs").bearer(u.token()).send().expect(200).json().getJsonArray("data")).isEmpty();
    userPlan(u, "pro");
    assertPaymentRequired(api.call("createOrg").bearer(u.token()).body(new JsonObject().put("name", "Acme").put("slug", slug))
      .send(), "organizations");
    userPlan(u, "team");
    api.call("createOrg").bearer(u.token()).body(new JsonObject().put("name", "Acme").put("slug", slug)).send().expect(201);
  }

  @Test
  void sharingThreadsAndProjectsInAnOrgNeedsTheOrgPlansSharedThreads() {
    Users.Registered owner = Users.register(api);
    userPlan(owner, "team");
    String org = Workspaces.org(api, owner).getString("id");
    // a new org starts on the default (free) plan: the org's plan, not the owner's, applies
    assertPaymentRequired(api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "t")
      .put("org_id", org)).send(), "shared_threads");
    assertPaymentRequired(api.call("createProject").bearer(owner.token()).body(new JsonObject().put("name", "p")
      .put("org_id", org)).send(), "shared_threads");
    assertThat(api.call("listThreads").bearer(owner.token()).send().expect(200).json().getJsonArray("data")).isEmpty();
    // personal threads need nothing
    api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "mine")).send().expect(201);
    orgPlan(org, "team");
    api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "t").put("org_id", org)).send().expect(201);
    api.call("createProject").bearer(owner.token()).body(new JsonObject().put("name", "p").put("org_id", org)).send().expect(201);
    // an org the caller is not in stays invisible: 404, not a plan answer
    Users.Registered stranger = Users.register(api);
    Api.Resp hidden = api.call("createThread").bearer(stranger.token()).body(new JsonObject().put("title", "x")
      .put("org_id", org)).send().expect(404);
    assertThat(hidden.error().getString("type")).isEqualTo("not_found");
  }

  @Test
  void aThreadPlacedInAnOrgThroughItsProjectOrItsParentOrItsSourceMeetsTheSameGate() {
    Users.Registered owner = Users.register(api);
    userPlan(owner, "team");
    String org = Workspaces.org(api, owner).getString("id");
    orgPlan(org, "team");
    String project = api.call("createProject").bearer(owner.token()).body(new JsonObject().put("name", "p")
      .put("org_id", org)).send().expect(201).json().getString("id");
    String shared = api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "shared")
      .put("org_id", org)).send().expect(201).json().getString("id");
    orgPlan(org, "free");
    int before = threadCount(owner);

    // none of these names org_id, yet each would store the thread in the org
    assertPaymentRequired(api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "via project")
      .put("project_id", project)).send(), "shared_threads");
    assertPaymentRequired(api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "via parent")
      .put("parent_thread_id", shared)).send(), "shared_threads");
    assertPaymentRequired(api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "via source")
      .put("continues_from", shared)).send(), "shared_threads");

    assertThat(threadCount(owner)).isEqualTo(before);
    JsonObject parent = api.call("getThread").bearer(owner.token()).path("id", shared).send().expect(200).json();
    assertThat(parent.getJsonObject("relations").getJsonArray("children")).isEmpty();
    assertThat(parent.getJsonObject("relations").getJsonArray("continued_by")).isEmpty();
    JsonObject inProject = api.call("getProject").bearer(owner.token()).path("id", project).send().expect(200).json();
    assertThat(inProject.getJsonObject("threads").getJsonArray("data")).isEmpty();

    orgPlan(org, "team");
    JsonObject child = api.call("createThread").bearer(owner.token()).body(new JsonObject().put("title", "via parent")
      .put("parent_thread_id", shared)).send().expect(201).json();
    assertThat(child.getString("org_id")).isEqualTo(org);
  }

  private static int threadCount(Users.Registered u) {
    return api.call("listThreads").bearer(u.token()).query("limit", "100").send().expect(200).json().getJsonArray("data").size();
  }

  @Test
  void theOrgAuditLogNeedsAuditLogs() {
    Users.Registered owner = Users.register(api);
    userPlan(owner, "team");
    String org = Workspaces.org(api, owner).getString("id");
    orgPlan(org, "team");
    assertPaymentRequired(api.call("listOrgAudit").bearer(owner.token()).path("id", org).send(), "audit_logs");
    orgPlan(org, "enterprise");
    JsonObject page = api.call("listOrgAudit").bearer(owner.token()).path("id", org).send().expect(200).json();
    assertThat(page.getJsonArray("data")).isNotNull();
    api.call("listOrgAudit").bearer(Users.register(api).token()).path("id", org).send().expect(404);
  }
}
