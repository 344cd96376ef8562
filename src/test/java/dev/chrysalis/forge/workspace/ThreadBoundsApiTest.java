package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a thread may hold and what one read of it returns are bounded: the contexts' total size
 * where they are added, pages of contexts by count and bytes, relation lists by count.
 */
class ThreadBoundsApiTest {

  private static final int THREAD_BYTES = 300_000;
  private static final int PAGE_BYTES = 150_000;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "enterprise",
      "CHRYSALIS_MAX_CONTEXT_BYTES_PER_THREAD", Integer.toString(THREAD_BYTES),
      "CHRYSALIS_CONTEXT_PAGE_BYTES", Integer.toString(PAGE_BYTES),
      "CHRYSALIS_RELATIONS_SHOWN", "3"));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Api.Resp addContext(Users.Registered u, String threadId, JsonObject body) {
    return api.call("addThreadContext").bearer(u.token()).path("id", threadId).body(body).send();
  }

  private static String context(Users.Registered u, String threadId, String title, int bodyChars, String parentId) {
    JsonObject body = new JsonObject().put("title", title).put("body", "b".repeat(bodyChars));
    if (parentId != null) {
      body.put("parent_id", parentId);
    }
    return addContext(u, threadId, body).expect(201).json().getString("id");
  }

  private static String thread(Users.Registered u) {
    return Workspaces.thread(api, u, new JsonObject().put("title", "bounds")).getString("id");
  }

  @Test
  void aThreadsContextsStopAtTheirTotalSizeAndARefusalStoresNothing() {
    Users.Registered u = Users.register(api);
    String t = thread(u);
    for (int i = 0; i < 4; i++) {
      context(u, t, "big " + i, 65_536, null);
    }
    // 4 × (65,536 + 5 + 2) bytes stored; 37,828 left
    String before = Workspaces.snapshot(app);
    Api.Resp full = addContext(u, t, new JsonObject().put("title", "one more").put("body", "x".repeat(40_000)));
    assertThat(full.status()).isEqualTo(409);
    assertThat(full.error().getString("code")).isEqualTo("context_space_full");
    assertThat(full.error().getString("type")).isEqualTo("conflict");
    // multi-byte text counts in bytes: 13,000 × 3 bytes does not fit either
    Api.Resp wide = addContext(u, t, new JsonObject().put("title", "wide").put("body", "€".repeat(13_000)));
    assertThat(wide.status()).isEqualTo(409);
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);

    context(u, t, "fits", 30_000, null);
    assertThat(Workspaces.count(app, "SELECT sum(size_bytes) FROM thread_contexts WHERE thread_id = '" + t + "'"))
      .isEqualTo(4L * (65_536 + 5 + 2) + 30_000 + 4 + 2);
    // another thread of the same user has its own budget
    context(u, thread(u), "elsewhere", 65_536, null);
  }

  @Test
  void metadataWithTooManyPropertiesIsRefused() {
    Users.Registered u = Users.register(api);
    String t = thread(u);
    JsonObject many = new JsonObject();
    for (int i = 0; i < 101; i++) {
      many.put("k" + i, i);
    }
    String before = Workspaces.snapshot(app);
    Api.Resp r = addContext(u, t, new JsonObject().put("title", "meta").put("metadata", many));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
  }

  @Test
  void contextsComeInPagesBoundedByCountAndBytes() {
    Users.Registered u = Users.register(api);
    String t = thread(u);
    String a = context(u, t, "a", 60_000, null);
    String b = context(u, t, "b", 60_000, a);
    String c = context(u, t, "c", 60_000, b);
    String d = context(u, t, "d", 10, a);

    // 60 KB each: the third would take the page past 150 KB, so the first page holds two
    JsonObject first = api.call("listThreadContexts").bearer(u.token()).path("id", t).send().expect(200).json();
    assertThat(first.getBoolean("has_more")).isTrue();
    JsonArray roots = first.getJsonArray("data");
    assertThat(roots).hasSize(1);
    assertThat(roots.getJsonObject(0).getString("id")).isEqualTo(a);
    assertThat(roots.getJsonObject(0).getJsonArray("children").getJsonObject(0).getString("id")).isEqualTo(b);

    // the next page: c's parent and d's parent were on the first page, so both are roots here
    JsonObject second = api.call("listThreadContexts").bearer(u.token()).path("id", t)
      .query("after", first.getString("next_cursor")).send().expect(200).json();
    assertThat(second.getBoolean("has_more")).isFalse();
    assertThat(second.getValue("next_cursor")).isNull();
    assertThat(ids(second.getJsonArray("data"))).containsExactly(c, d);
    assertThat(second.getJsonArray("data").getJsonObject(0).getString("parent_id")).isEqualTo(b);

    // limit counts contexts
    JsonObject one = api.call("listThreadContexts").bearer(u.token()).path("id", t).query("limit", "1").send()
      .expect(200).json();
    assertThat(ids(one.getJsonArray("data"))).containsExactly(a);
    assertThat(one.getBoolean("has_more")).isTrue();

    // the thread's detail carries the first page and where to go on
    JsonObject detail = api.call("getThread").bearer(u.token()).path("id", t).send().expect(200).json();
    assertThat(detail.getJsonArray("contexts")).isEqualTo(first.getJsonArray("data"));
    assertThat(detail.getBoolean("contexts_has_more")).isTrue();
    assertThat(detail.getString("contexts_next_cursor")).isEqualTo(first.getString("next_cursor"));

    // a small thread still answers its whole tree on one page
    String small = thread(u);
    String root = context(u, small, "root", 10, null);
    context(u, small, "leaf", 10, root);
    JsonObject whole = api.call("getThread").bearer(u.token()).path("id", small).send().expect(200).json();
    assertThat(whole.getBoolean("contexts_has_more")).isFalse();
    assertThat(whole.getValue("contexts_next_cursor")).isNull();
    assertThat(whole.getJsonArray("contexts").getJsonObject(0).getJsonArray("children")).hasSize(1);
  }

  @Test
  void pagesTogetherHoldEveryContextOnce() {
    Users.Registered u = Users.register(api);
    String t = thread(u);
    // 65,543 bytes each: two fit a page of 150 KB, the third starts the next page
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(context(u, t, "n" + i, 65_536, null));
    }
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      Api.Call call = api.call("listThreadContexts").bearer(u.token()).path("id", t);
      if (after != null) {
        call.query("after", after);
      }
      JsonObject page = call.send().expect(200).json();
      assertThat(page.getJsonArray("data").size()).isBetween(1, 2);
      seen.addAll(ids(page.getJsonArray("data")));
      after = page.getString("next_cursor");
      pages++;
    } while (after != null && pages < 10);
    assertThat(seen).isEqualTo(all);
    assertThat(pages).isEqualTo(2);
  }

  @Test
  void badPagingChangesNothingAndAnswers400() {
    Users.Registered u = Users.register(api);
    String t = thread(u);
    context(u, t, "x", 10, null);
    String before = Workspaces.snapshot(app);
    for (String[] q : new String[][] {{"limit", "0"}, {"limit", "201"}, {"limit", "ten"}, {"after", "bm90LWEtY3Vyc29y"},
      {"after", "***"}}) {
      Api.Resp r = api.call("listThreadContexts").bearer(u.token()).path("id", t).query(q[0], q[1]).send();
      assertThat(r.status()).as(q[0] + "=" + q[1]).isEqualTo(400);
      assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    }
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
  }

  @Test
  void relationListsAreCappedAndSayWhenCut() {
    Users.Registered u = Users.register(api);
    String parent = thread(u);
    List<String> children = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      children.add(Workspaces.thread(api, u, new JsonObject().put("parent_thread_id", parent)).getString("id"));
    }
    String other = thread(u);
    api.call("addThreadRelation").bearer(u.token()).path("id", parent)
      .body(new JsonObject().put("to_thread_id", other).put("relation_type", "relates_to")).send().expect(201);

    JsonObject rel = api.call("getThread").bearer(u.token()).path("id", parent).send().expect(200).json()
      .getJsonObject("relations");
    assertThat(ids(rel.getJsonArray("children"))).containsExactlyElementsOf(children.subList(0, 3));
    assertThat(ids(rel.getJsonArray("related"))).containsExactly(other);
    assertThat(rel.getBoolean("has_more")).isTrue();

    JsonObject child = api.call("getThread").bearer(u.token()).path("id", children.get(4)).send().expect(200).json()
      .getJsonObject("relations");
    assertThat(child.getJsonObject("parent").getString("id")).isEqualTo(parent);
    assertThat(child.getBoolean("has_more")).isFalse();

    // the whole list, page by page
    List<String> paged = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      Api.Call call = api.call("listThreadRelations").bearer(u.token()).path("id", parent).query("kind", "children")
        .query("limit", "2");
      if (after != null) {
        call.query("after", after);
      }
      JsonObject page = call.send().expect(200).json();
      paged.addAll(ids(page.getJsonArray("data")));
      after = page.getString("next_cursor");
      pages++;
    } while (after != null && pages < 10);
    assertThat(paged).isEqualTo(children);
    assertThat(pages).isEqualTo(3);
    JsonObject related = api.call("listThreadRelations").bearer(u.token()).path("id", other).query("kind", "related")
      .send().expect(200).json();
    assertThat(ids(related.getJsonArray("data"))).containsExactly(parent);

    String before = Workspaces.snapshot(app);
    assertThat(api.call("listThreadRelations").bearer(u.token()).path("id", parent).send().status()).isEqualTo(400);
    assertThat(api.call("listThreadRelations").bearer(u.token()).path("id", parent).query("kind", "parent").send()
      .status()).isEqualTo(400);
    Users.Registered stranger = Users.register(api);
    assertThat(api.call("listThreadRelations").bearer(stranger.token()).path("id", parent).query("kind", "children")
      .send().status()).isEqualTo(404);
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
  }

  private static List<String> ids(JsonArray nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(((JsonObject) n).getString("id")));
    return out;
  }
}
