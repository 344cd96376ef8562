package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants: every endpoint of the workspace called by B on A's resources answers 404 (B can
 * see none of them, so B learns nothing about their existence) and changes nothing.
 */
class WorkspaceIsolationApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private record Case(String name, int status, Supplier<Api.Resp> call) {
  }

  @Test
  void tenantsCannotSeeOrTouchEachOther() {
    Users.Registered a = Users.register(api);
    Users.Registered a2 = Users.register(api);
    Users.Registered b = Users.register(api);
    String orgA = Workspaces.org(api, a).getString("id");
    String orgB = Workspaces.org(api, b).getString("id");
    Workspaces.join(app, a, orgA, a2, "member");
    String inviteA = api.call("inviteOrgMember").bearer(a.token()).path("id", orgA)
      .body(new JsonObject().put("email", Users.uniqueEmail())).send().expect(201).json().getString("invite_id");
    String projectOrg = Workspaces.project(api, a, new JsonObject().put("name", "org").put("org_id", orgA)).getString("id");
    String projectMine = Workspaces.project(api, a, new JsonObject().put("name", "mine")).getString("id");
    String threadOrg = Workspaces.thread(api, a, new JsonObject().put("project_id", projectOrg)).getString("id");
    String threadMine = Workspaces.thread(api, a, new JsonObject().put("project_id", projectMine)).getString("id");
    String contextA = api.call("addThreadContext").bearer(a.token()).path("id", threadMine)
      .body(new JsonObject().put("title", "secret")).send().expect(201).json().getString("id");
    String sessionA = api.call("createSession").bearer(a.token()).body(new JsonObject().put("org_id", orgA))
      .send().expect(201).json().getString("id");
    String threadB = Workspaces.thread(api, b, new JsonObject().put("title", "b's")).getString("id");
    String t = b.token();

    List<Case> cases = new ArrayList<>();
    cases.add(new Case("getOrg", 404, () -> api.call("getOrg").bearer(t).path("id", orgA).send()));
    cases.add(new Case("updateOrg", 404, () -> api.call("updateOrg").bearer(t).path("id", orgA)
      .body(new JsonObject().put("name", "pwned")).send()));
    cases.add(new Case("deleteOrg", 404, () -> api.call("deleteOrg").bearer(t).path("id", orgA).send()));
    cases.add(new Case("listOrgMembers", 404, () -> api.call("listOrgMembers").bearer(t).path("id", orgA).send()));
    cases.add(new Case("updateOrgMember", 404, () -> api.call("updateOrgMember").bearer(t).path("id", orgA)
      .path("user_id", a2.id()).body(new JsonObject().put("role", "reader")).send()));
    cases.add(new Case("updateOrgMember on own org", 404, () -> api.call("updateOrgMember").bearer(t).path("id", orgB)
      .path("user_id", a2.id()).body(new JsonObject().put("role", "reader")).send()));
    cases.add(new Case("removeOrgMember", 404, () -> api.call("removeOrgMember").bearer(t).path("id", orgA)
      .path("user_id", a2.id()).send()));
    cases.add(new Case("removeOrgMember self", 404, () -> api.call("removeOrgMember").bearer(t).path("id", orgA)
      .path("user_id", b.id()).send()));
    cases.add(new Case("inviteOrgMember", 404, () -> api.call("inviteOrgMember").bearer(t).path("id", orgA)
      .body(new JsonObject().put("email", b.email())).send()));
    cases.add(new Case("listOrgInvites", 404, () -> api.call("listOrgInvites").bearer(t).path("id", orgA).send()));
    cases.add(new Case("deleteOrgInvite", 404, () -> api.call("deleteOrgInvite").bearer(t).path("id", orgA)
      .path("invite_id", inviteA).send()));
    cases.add(new Case("deleteOrgInvite via own org", 404, () -> api.call("deleteOrgInvite").bearer(t).path("id", orgB)
      .path("invite_id", inviteA).send()));
    cases.add(new Case("acceptInvite", 404, () -> api.call("acceptInvite").bearer(t).path("id", inviteA)
      .body(new JsonObject().put("token", "not-the-secret-of-this-invite")).send()));
    cases.add(new Case("listOrgAudit", 404, () -> api.call("listOrgAudit").bearer(t).path("id", orgA).send()));
    for (String thread : List.of(threadOrg, threadMine)) {
      cases.add(new Case("getThread " + thread, 404, () -> api.call("getThread").bearer(t).path("id", thread).send()));
      cases.add(new Case("updateThread " + thread, 404, () -> api.call("updateThread").bearer(t).path("id", thread)
        .body(new JsonObject().put("status", "archived")).send()));
      cases.add(new Case("addThreadRelation from " + thread, 404, () -> api.call("addThreadRelation").bearer(t)
        .path("id", thread).body(new JsonObject().put("to_thread_id", threadB).put("relation_type", "relates_to")).send()));
      cases.add(new Case("addThreadRelation to " + thread, 404, () -> api.call("addThreadRelation").bearer(t)
        .path("id", threadB).body(new JsonObject().put("to_thread_id", thread).put("relation_type", "child_of")).send()));
      cases.add(new Case("listThreadContexts " + thread, 404, () -> api.call("listThreadContexts").bearer(t)
        .path("id", thread).send()));
      cases.add(new Case("addThreadContext " + thread, 404, () -> api.call("addThreadContext").bearer(t)
        .path("id", thread).body(new JsonObject().put("title", "x")).send()));
      cases.add(new Case("createThread child of " + thread, 404, () -> api.call("createThread").bearer(t)
        .body(new JsonObject().put("parent_thread_id", thread)).send()));
      cases.add(new Case("createThread continuing " + thread, 404, () -> api.call("createThread").bearer(t)
        .body(new JsonObject().put("continues_from", thread)).send()));
    }
    cases.add(new Case("addThreadContext under A's context", 400, () -> api.call("addThreadContext").bearer(t)
      .path("id", threadB).body(new JsonObject().put("title", "x").put("parent_id", contextA)).send()));
    cases.add(new Case("createThread in org", 404, () -> api.call("createThread").bearer(t)
      .body(new JsonObject().put("org_id", orgA)).send()));
    for (String project : List.of(projectOrg, projectMine)) {
      cases.add(new Case("getProject " + project, 404, () -> api.call("getProject").bearer(t).path("id", project).send()));
      cases.add(new Case("createThread in project " + project, 404, () -> api.call("createThread").bearer(t)
        .body(new JsonObject().put("project_id", project)).send()));
    }
    cases.add(new Case("listProjects of org", 404, () -> api.call("listProjects").bearer(t).query("org_id", orgA).send()));
    cases.add(new Case("createProject in org", 404, () -> api.call("createProject").bearer(t)
      .body(new JsonObject().put("name", "x").put("org_id", orgA)).send()));
    cases.add(new Case("getSession", 404, () -> api.call("getSession").bearer(t).path("id", sessionA).send()));
    cases.add(new Case("createSession in org", 404, () -> api.call("createSession").bearer(t)
      .body(new JsonObject().put("org_id", orgA)).send()));

    String before = Workspaces.snapshot(app);
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Api.Resp r = c.call.get();
      if (r.status() != c.status) {
        failures.add(c.name + ": expected " + c.status + " got " + r);
      } else if (r.error().getString("message").contains(a.email())) {
        failures.add(c.name + ": leaks A's email");
      }
    }
    assertThat(failures).isEmpty();
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);

    // lists only show B's own things, and a filter on A's project shows nothing
    assertThat(api.call("listOrgs").bearer(t).send().json().getJsonArray("data")).hasSize(1);
    assertThat(api.call("listThreads").bearer(t).send().json().getJsonArray("data")).hasSize(1);
    assertThat(api.call("listThreads").bearer(t).query("project_id", projectOrg).send().expect(200).json()
      .getJsonArray("data")).isEmpty();
    assertThat(api.call("listProjects").bearer(t).send().json().getJsonArray("data")).isEmpty();
    assertThat(api.call("listSessions").bearer(t).send().json().getJsonArray("data")).isEmpty();

    // and A's colleague sees the org's thread and project but not A's personal ones
    String t2 = a2.token();
    api.call("getThread").bearer(t2).path("id", threadOrg).send().expect(200);
    api.call("getProject").bearer(t2).path("id", projectOrg).send().expect(200);
    assertThat(api.call("getThread").bearer(t2).path("id", threadMine).send().status()).isEqualTo(404);
    assertThat(api.call("getProject").bearer(t2).path("id", projectMine).send().status()).isEqualTo(404);
    assertThat(api.call("getSession").bearer(t2).path("id", sessionA).send().status()).isEqualTo(404);
  }
}
