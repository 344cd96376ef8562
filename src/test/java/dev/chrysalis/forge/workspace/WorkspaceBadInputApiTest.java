package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input of every kind on every workspace endpoint: a clear 4xx in our error shape, and nothing changed. */
class WorkspaceBadInputApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private record Case(String name, int status, Supplier<Api.Resp> call) {
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyKindOfBadInputIsRefusedCleanly() {
    Users.Registered u = Users.register(api);
    String readOnlyKey = Users.apiKey(api, u, "read");
    String orgId = Workspaces.org(api, u).getString("id");
    String threadId = Workspaces.thread(api, u, new JsonObject().put("title", "t")).getString("id");
    String t = u.token();
    JsonObject bigSettings = new JsonObject().put("blob", "x".repeat(17 * 1024));
    JsonObject manyKeys = new JsonObject();
    for (int i = 0; i < 101; i++) {
      manyKeys.put("k" + i, i);
    }

    List<Case> cases = new ArrayList<>();
    // transport and auth
    cases.add(new Case("no auth", 401, () -> api.call("createOrg").body(new JsonObject().put("name", "x").put("slug", "x")).send()));
    cases.add(new Case("read-only key writes", 403, () -> api.call("createThread").bearer(readOnlyKey).send()));
    cases.add(new Case("malformed json", 400, () -> api.call("createOrg").bearer(t).body("{\"name\":").send()));
    cases.add(new Case("not json", 415, () -> api.call("createOrg").bearer(t).header("Content-Type", "text/plain")
      .body("name=x").send()));
    cases.add(new Case("body is an array", 400, () -> api.call("createProject").bearer(t).body("[]").send()));
    // orgs
    cases.add(new Case("org without slug", 400, () -> api.call("createOrg").bearer(t).body(new JsonObject().put("name", "x")).send()));
    cases.add(new Case("org slug upper case", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "x").put("slug", "Acme")).send()));
    cases.add(new Case("org slug too long", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "x").put("slug", "a".repeat(65))).send()));
    cases.add(new Case("org slug empty", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "x").put("slug", "")).send()));
    cases.add(new Case("org name blank", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "   ").put("slug", Workspaces.slug())).send()));
    cases.add(new Case("org name control char", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "a\u0000b").put("slug", Workspaces.slug())).send()));
    cases.add(new Case("org name number", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", 5).put("slug", Workspaces.slug())).send()));
    cases.add(new Case("org unknown field", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "x").put("slug", Workspaces.slug()).put("owner_id", "usr_x")).send()));
    cases.add(new Case("org settings too big", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "x").put("slug", Workspaces.slug()).put("settings", bigSettings)).send()));
    cases.add(new Case("org settings too many keys", 400, () -> api.call("createOrg").bearer(t)
      .body(new JsonObject().put("name", "x").put("slug", Workspaces.slug()).put("settings", manyKeys)).send()));
    cases.add(new Case("org settings not object", 400, () -> api.call("updateOrg").bearer(t).path("id", orgId)
      .body(new JsonObject().put("settings", new JsonArray())).send()));
    cases.add(new Case("empty patch", 400, () -> api.call("updateOrg").bearer(t).path("id", orgId).body(new JsonObject()).send()));
    cases.add(new Case("bad path id", 400, () -> api.call("getOrg").bearer(t).path("id", "org_<script>").send()));
    cases.add(new Case("path id too long", 400, () -> api.call("getOrg").bearer(t).path("id", "o".repeat(65)).send()));
    cases.add(new Case("unknown role", 400, () -> api.call("updateOrgMember").bearer(t).path("id", orgId).path("user_id", u.id())
      .body(new JsonObject().put("role", "god")).send()));
    cases.add(new Case("invite bad email", 400, () -> api.call("inviteOrgMember").bearer(t).path("id", orgId)
      .body(new JsonObject().put("email", "not-an-email")).send()));
    cases.add(new Case("invite email too long", 400, () -> api.call("inviteOrgMember").bearer(t).path("id", orgId)
      .body(new JsonObject().put("email", "a".repeat(250) + "@x.io")).send()));
    cases.add(new Case("invite bad role", 400, () -> api.call("inviteOrgMember").bearer(t).path("id", orgId)
      .body(new JsonObject().put("email", Users.uniqueEmail()).put("role", "superuser")).send()));
    cases.add(new Case("audit bad action filter", 400, () -> api.call("listOrgAudit").bearer(t).path("id", orgId)
      .query("action", "DROP TABLE").send()));
    // lists
    for (String limit : List.of("0", "201", "-1", "abc", "1.5")) {
      cases.add(new Case("limit " + limit, 400, () -> api.call("listThreads").bearer(t).query("limit", limit).send()));
    }
    for (String cursor : List.of("garbage", b64("c1:notanumber:T-x"), b64("c1:123:"), b64("c2:1:T-x"), "a".repeat(201), "%%%")) {
      cases.add(new Case("cursor " + cursor, 400, () -> api.call("listOrgs").bearer(t).query("after", cursor).send()));
    }
    cases.add(new Case("status filter unknown", 400, () -> api.call("listThreads").bearer(t).query("status", "deleted").send()));
    // threads
    cases.add(new Case("thread title too long", 400, () -> api.call("createThread").bearer(t)
      .body(new JsonObject().put("title", "x".repeat(201))).send()));
    cases.add(new Case("thread unknown field", 400, () -> api.call("createThread").bearer(t)
      .body(new JsonObject().put("user_id", "usr_someoneelse")).send()));
    cases.add(new Case("thread bad status", 400, () -> api.call("updateThread").bearer(t).path("id", threadId)
      .body(new JsonObject().put("status", "deleted")).send()));
    cases.add(new Case("thread summary too long", 400, () -> api.call("updateThread").bearer(t).path("id", threadId)
      .body(new JsonObject().put("summary", "s".repeat(20_001))).send()));
    cases.add(new Case("relation bad type", 400, () -> api.call("addThreadRelation").bearer(t).path("id", threadId)
      .body(new JsonObject().put("to_thread_id", threadId).put("relation_type", "parent_of")).send()));
    cases.add(new Case("relation missing target", 400, () -> api.call("addThreadRelation").bearer(t).path("id", threadId)
      .body(new JsonObject().put("relation_type", "child_of")).send()));
    cases.add(new Case("relation unknown target", 404, () -> api.call("addThreadRelation").bearer(t).path("id", threadId)
      .body(new JsonObject().put("to_thread_id", "T-nope").put("relation_type", "child_of")).send()));
    cases.add(new Case("context without title", 400, () -> api.call("addThreadContext").bearer(t).path("id", threadId)
      .body(new JsonObject().put("kind", "note")).send()));
    cases.add(new Case("context bad kind", 400, () -> api.call("addThreadContext").bearer(t).path("id", threadId)
      .body(new JsonObject().put("title", "x").put("kind", "folder")).send()));
    cases.add(new Case("context body too long", 400, () -> api.call("addThreadContext").bearer(t).path("id", threadId)
      .body(new JsonObject().put("title", "x").put("body", "b".repeat(65_537))).send()));
    cases.add(new Case("context metadata too big", 400, () -> api.call("addThreadContext").bearer(t).path("id", threadId)
      .body(new JsonObject().put("title", "x").put("metadata", bigSettings)).send()));
    cases.add(new Case("context unknown parent", 400, () -> api.call("addThreadContext").bearer(t).path("id", threadId)
      .body(new JsonObject().put("title", "x").put("parent_id", "ctx_nope")).send()));
    // projects and sessions
    cases.add(new Case("project without name", 400, () -> api.call("createProject").bearer(t).body(new JsonObject()).send()));
    cases.add(new Case("project bad slug", 400, () -> api.call("createProject").bearer(t)
      .body(new JsonObject().put("name", "x").put("slug", "no spaces")).send()));
    cases.add(new Case("project description too long", 400, () -> api.call("createProject").bearer(t)
      .body(new JsonObject().put("name", "x").put("description", "d".repeat(2001))).send()));
    cases.add(new Case("project settings string", 400, () -> api.call("createProject").bearer(t)
      .body(new JsonObject().put("name", "x").put("settings", "{}")).send()));
    cases.add(new Case("session bad mode", 400, () -> api.call("createSession").bearer(t)
      .body(new JsonObject().put("mode", "chat")).send()));
    cases.add(new Case("session bad org id", 400, () -> api.call("createSession").bearer(t)
      .body(new JsonObject().put("org_id", "../etc")).send()));

    String before = Workspaces.snapshot(app);
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Api.Resp r = c.call.get();
      if (r.status() != c.status) {
        failures.add(c.name + ": expected " + c.status + " got " + r);
        continue;
      }
      JsonObject error = r.error();
      if (error.getString("code") == null || error.getString("message").isBlank()) {
        failures.add(c.name + ": error without code or message " + r);
      }
      if (r.text().contains("SQL") || r.text().contains("Exception") || r.text().contains("at dev.")) {
        failures.add(c.name + ": leaks internals " + r);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
  }
}
