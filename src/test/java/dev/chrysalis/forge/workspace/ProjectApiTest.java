package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProjectApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  @Test
  void slugsAreUniquePerOwnerAndPerOrg() {
    Users.Registered u = Users.register(api);
    Users.Registered v = Users.register(api);
    String orgId = Workspaces.org(api, u).getString("id");
    Workspaces.join(app, u, orgId, v, "member");

    JsonObject p = Workspaces.project(api, u, new JsonObject().put("name", "Über Forge 2!").put("description", "d")
      .put("settings", new JsonObject().put("model", "x")));
    assertThat(p.getString("slug")).isEqualTo("uber-forge-2");
    assertThat(p.getString("org_id")).isNull();
    assertThat(p.getJsonObject("settings").getString("model")).isEqualTo("x");

    Api.Resp dup = api.call("createProject").bearer(u.token()).body(new JsonObject().put("name", "Uber forge 2")).send();
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.error().getString("code")).isEqualTo("slug_taken");
    // same slug: fine for another owner, and fine inside an org, once
    Workspaces.project(api, v, new JsonObject().put("name", "x").put("slug", "uber-forge-2"));
    Workspaces.project(api, u, new JsonObject().put("name", "x").put("slug", "uber-forge-2").put("org_id", orgId));
    Api.Resp orgDup = api.call("createProject").bearer(v.token())
      .body(new JsonObject().put("name", "y").put("slug", "uber-forge-2").put("org_id", orgId)).send();
    assertThat(orgDup.status()).isEqualTo(409);

    // u sees its own and the org's; v sees its own and the org's; the org filter shows one
    assertThat(api.call("listProjects").bearer(u.token()).send().expect(200).json().getJsonArray("data")).hasSize(2);
    assertThat(api.call("listProjects").bearer(v.token()).send().expect(200).json().getJsonArray("data")).hasSize(2);
    assertThat(api.call("listProjects").bearer(v.token()).query("org_id", orgId).send().expect(200).json()
      .getJsonArray("data")).hasSize(1);
    assertThat(api.call("getProject").bearer(v.token()).path("id", p.getString("id")).send().status()).isEqualTo(404);
  }

  @Test
  void threadsOfAProjectPageOnFromTheProject() {
    Users.Registered u = Users.register(api);
    String projectId = Workspaces.project(api, u, new JsonObject().put("name", "many")).getString("id");
    for (int i = 0; i < 52; i++) {
      Workspaces.thread(api, u, new JsonObject().put("project_id", projectId));
    }
    Workspaces.thread(api, u, new JsonObject().put("title", "elsewhere"));
    JsonObject project = api.call("getProject").bearer(u.token()).path("id", projectId).send().expect(200).json();
    JsonObject threads = project.getJsonObject("threads");
    assertThat(threads.getJsonArray("data")).hasSize(50);
    assertThat(threads.getBoolean("has_more")).isTrue();
    JsonObject rest = api.call("listThreads").bearer(u.token()).query("project_id", projectId)
      .query("after", threads.getString("next_cursor")).send().expect(200).json();
    assertThat(rest.getJsonArray("data")).hasSize(2);
    assertThat(rest.getBoolean("has_more")).isFalse();
  }

  @Test
  void projectOfAnotherOrgCannotHoldAThread() {
    Users.Registered u = Users.register(api);
    String orgA = Workspaces.org(api, u).getString("id");
    String orgB = Workspaces.org(api, u).getString("id");
    String projectA = Workspaces.project(api, u, new JsonObject().put("name", "a").put("org_id", orgA)).getString("id");
    String before = Workspaces.snapshot(app);
    Api.Resp r = api.call("createThread").bearer(u.token()).body(new JsonObject().put("project_id", projectA)
      .put("org_id", orgB)).send();
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getString("code")).isEqualTo("project_org_mismatch");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
    JsonObject t = Workspaces.thread(api, u, new JsonObject().put("project_id", projectA));
    assertThat(t.getString("org_id")).isEqualTo(orgA);
  }
}
