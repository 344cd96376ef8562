package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ThreadApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private Api.Resp relate(Users.Registered u, String from, String to, String type) {
    return api.call("addThreadRelation").bearer(u.token()).path("id", from)
      .body(new JsonObject().put("to_thread_id", to).put("relation_type", type)).send();
  }

  @Test
  void continuationCopiesSummaryAndProjectAndChildLinksParent() {
    Users.Registered u = Users.register(api);
    String projectId = Workspaces.project(api, u, new JsonObject().put("name", "Forge")).getString("id");
    JsonObject source = Workspaces.thread(api, u, new JsonObject().put("title", "first").put("project_id", projectId));
    assertThat(source.getString("id")).matches("^T-[0-9a-f-]{36}$");
    assertThat(source.getString("status")).isEqualTo("active");
    api.call("updateThread").bearer(u.token()).path("id", source.getString("id"))
      .body(new JsonObject().put("summary", "we chose Vert.x").put("status", "done")).send().expect(200);

    JsonObject next = Workspaces.thread(api, u, new JsonObject().put("title", "second")
      .put("continues_from", source.getString("id")));
    assertThat(next.getString("summary")).isEqualTo("we chose Vert.x");
    assertThat(next.getString("project_id")).isEqualTo(projectId);
    assertThat(next.getJsonObject("relations").getJsonObject("continues_from").getString("id")).isEqualTo(source.getString("id"));

    JsonObject child = Workspaces.thread(api, u, new JsonObject().put("title", "child").put("parent_thread_id", next.getString("id")));
    assertThat(child.getJsonObject("relations").getJsonObject("parent").getString("id")).isEqualTo(next.getString("id"));

    JsonObject mid = api.call("getThread").bearer(u.token()).path("id", next.getString("id")).send().expect(200).json();
    JsonObject rel = mid.getJsonObject("relations");
    assertThat(rel.getJsonArray("children").getJsonObject(0).getString("id")).isEqualTo(child.getString("id"));
    assertThat(rel.getJsonObject("continues_from").getString("id")).isEqualTo(source.getString("id"));
    JsonObject first = api.call("getThread").bearer(u.token()).path("id", source.getString("id")).send().expect(200).json();
    assertThat(first.getJsonObject("relations").getJsonArray("continued_by").getJsonObject(0).getString("id"))
      .isEqualTo(next.getString("id"));

    JsonObject project = api.call("getProject").bearer(u.token()).path("id", projectId).send().expect(200).json();
    assertThat(project.getJsonObject("threads").getJsonArray("data")).hasSize(2);
  }

  @Test
  void relationRules() {
    Users.Registered u = Users.register(api);
    Users.Registered other = Users.register(api);
    String a = Workspaces.thread(api, u, new JsonObject().put("title", "a")).getString("id");
    String b = Workspaces.thread(api, u, new JsonObject().put("title", "b")).getString("id");
    String c = Workspaces.thread(api, u, new JsonObject().put("title", "c")).getString("id");
    String foreign = Workspaces.thread(api, other, new JsonObject().put("title", "theirs")).getString("id");

    relate(u, b, a, "child_of").expect(201);
    relate(u, c, b, "child_of").expect(201);

    String before = Workspaces.snapshot(app);
    Api.Resp cycle = relate(u, a, c, "child_of");
    assertThat(cycle.status()).isEqualTo(409);
    assertThat(cycle.error().getString("code")).isEqualTo("relation_cycle");
    // a cycle mixing both kinds of edge is refused too
    Api.Resp mixed = relate(u, a, c, "continues_from");
    assertThat(mixed.error().getString("code")).isEqualTo("relation_cycle");

    Api.Resp self = relate(u, a, a, "relates_to");
    assertThat(self.status()).isEqualTo(400);
    assertThat(self.error().getString("code")).isEqualTo("self_relation");

    Api.Resp invisible = relate(u, a, foreign, "relates_to");
    assertThat(invisible.status()).isEqualTo(404);
    assertThat(invisible.error().getString("param")).isEqualTo("to_thread_id");
    Api.Resp fromForeign = relate(u, foreign, a, "relates_to");
    assertThat(fromForeign.status()).isEqualTo(404);

    Api.Resp twoParents = relate(u, c, a, "child_of");
    assertThat(twoParents.status()).isEqualTo(409);
    assertThat(twoParents.error().getString("code")).isEqualTo("parent_exists");
    Api.Resp dup = relate(u, b, a, "child_of");
    assertThat(dup.error().getString("code")).isEqualTo("relation_exists");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);

    relate(u, a, c, "relates_to").expect(201);
    Api.Resp reverse = relate(u, c, a, "relates_to");
    assertThat(reverse.status()).isEqualTo(409);
    JsonObject rel = api.call("getThread").bearer(u.token()).path("id", c).send().expect(200).json().getJsonObject("relations");
    assertThat(rel.getJsonArray("related").getJsonObject(0).getString("id")).isEqualTo(a);
    assertThat(rel.getJsonObject("parent").getString("id")).isEqualTo(b);
  }

  @Test
  void contextTreeOfThreeLevels() {
    Users.Registered u = Users.register(api);
    String t = Workspaces.thread(api, u, new JsonObject().put("title", "ctx")).getString("id");
    String other = Workspaces.thread(api, u, new JsonObject().put("title", "other")).getString("id");
    JsonObject area = api.call("addThreadContext").bearer(u.token()).path("id", t)
      .body(new JsonObject().put("title", "Backend").put("kind", "area")).send().expect(201).json();
    JsonObject plan = api.call("addThreadContext").bearer(u.token()).path("id", t)
      .body(new JsonObject().put("title", "Plan").put("kind", "plan").put("parent_id", area.getString("id"))
        .put("metadata", new JsonObject().put("owner", "ada"))).send().expect(201).json();
    api.call("addThreadContext").bearer(u.token()).path("id", t)
      .body(new JsonObject().put("title", "Write migration").put("kind", "task").put("body", "V2\nthen tests")
        .put("parent_id", plan.getString("id"))).send().expect(201);
    api.call("addThreadContext").bearer(u.token()).path("id", t).body(new JsonObject().put("title", "Loose note"))
      .send().expect(201);

    String before = Workspaces.snapshot(app);
    Api.Resp foreignParent = api.call("addThreadContext").bearer(u.token()).path("id", other)
      .body(new JsonObject().put("title", "x").put("parent_id", plan.getString("id"))).send();
    assertThat(foreignParent.status()).isEqualTo(400);
    assertThat(foreignParent.error().getString("code")).isEqualTo("invalid_parent");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);

    JsonArray tree = api.call("listThreadContexts").bearer(u.token()).path("id", t).send().expect(200).json().getJsonArray("data");
    assertThat(tree).hasSize(2);
    JsonObject root = tree.getJsonObject(0);
    assertThat(root.getString("title")).isEqualTo("Backend");
    JsonObject level2 = root.getJsonArray("children").getJsonObject(0);
    assertThat(level2.getString("kind")).isEqualTo("plan");
    assertThat(level2.getJsonObject("metadata").getString("owner")).isEqualTo("ada");
    JsonObject level3 = level2.getJsonArray("children").getJsonObject(0);
    assertThat(level3.getString("body")).isEqualTo("V2\nthen tests");
    assertThat(level3.getJsonArray("children")).isEmpty();
    assertThat(tree.getJsonObject(1).getString("kind")).isEqualTo("note");

    JsonObject thread = api.call("getThread").bearer(u.token()).path("id", t).send().expect(200).json();
    assertThat(thread.getJsonArray("contexts")).isEqualTo(tree);
  }

  @Test
  void readersReadOrgThreadsButNeverWrite() {
    Users.Registered owner = Users.register(api);
    Users.Registered reader = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Workspaces.join(app, owner, orgId, reader, "reader");
    String t = Workspaces.thread(api, owner, new JsonObject().put("title", "org thread").put("org_id", orgId)).getString("id");

    api.call("getThread").bearer(reader.token()).path("id", t).send().expect(200);
    assertThat(api.call("listThreads").bearer(reader.token()).send().json().getJsonArray("data")).hasSize(1);
    String before = Workspaces.snapshot(app);
    assertThat(api.call("updateThread").bearer(reader.token()).path("id", t).body(new JsonObject().put("title", "x"))
      .send().status()).isEqualTo(403);
    assertThat(api.call("addThreadContext").bearer(reader.token()).path("id", t).body(new JsonObject().put("title", "x"))
      .send().status()).isEqualTo(403);
    assertThat(api.call("createThread").bearer(reader.token()).body(new JsonObject().put("org_id", orgId))
      .send().status()).isEqualTo(403);
    assertThat(api.call("createProject").bearer(reader.token()).body(new JsonObject().put("name", "p").put("org_id", orgId))
      .send().status()).isEqualTo(403);
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
  }

  @Test
  void paginationIsStableAcrossInserts() {
    Users.Registered u = Users.register(api);
    Set<String> original = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      original.add(Workspaces.thread(api, u, new JsonObject().put("title", "t" + i)).getString("id"));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Api.Call call = api.call("listThreads").bearer(u.token()).query("limit", "3");
      if (cursor != null) {
        call.query("after", cursor);
      }
      JsonObject page = call.send().expect(200).json();
      page.getJsonArray("data").forEach(t -> seen.add(((JsonObject) t).getString("id")));
      cursor = page.getString("next_cursor");
      assertThat(page.getBoolean("has_more")).isEqualTo(cursor != null);
      // someone adds threads while we page: they are newer than the cursor and must not shift the pages
      Workspaces.thread(api, u, new JsonObject().put("title", "inserted while paging"));
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(7).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(original);

    JsonObject all = api.call("listThreads").bearer(u.token()).query("limit", "200").send().expect(200).json();
    assertThat(all.getJsonArray("data")).hasSize(10);
    assertThat(all.getJsonArray("data").getJsonObject(0).getString("title")).isEqualTo("inserted while paging");
    JsonObject done = api.call("listThreads").bearer(u.token()).query("status", "done").send().expect(200).json();
    assertThat(done.getJsonArray("data")).isEmpty();
  }
}
