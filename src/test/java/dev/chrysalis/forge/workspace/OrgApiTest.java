package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Contract;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OrgApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  @Test
  void createListGetUpdateAndSlugConflict() {
    Users.Registered owner = Users.register(api);
    String slug = Workspaces.slug();
    JsonObject org = api.call("createOrg").bearer(owner.token())
      .body(new JsonObject().put("name", "Acme").put("slug", slug).put("settings", new JsonObject().put("tz", "UTC")))
      .send().expect(201).json();
    assertThat(org.getString("id")).startsWith("org_");
    assertThat(org.getString("role")).isEqualTo("owner");
    assertThat(org.getJsonObject("settings").getString("tz")).isEqualTo("UTC");

    Api.Resp dup = api.call("createOrg").bearer(Users.register(api).token())
      .body(new JsonObject().put("name", "Other").put("slug", slug)).send();
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.error().getString("code")).isEqualTo("slug_taken");

    JsonObject list = api.call("listOrgs").bearer(owner.token()).send().expect(200).json();
    assertThat(list.getJsonArray("data")).hasSize(1);
    assertThat(list.getBoolean("has_more")).isFalse();
    assertThat(list.getString("next_cursor")).isNull();

    JsonObject got = api.call("getOrg").bearer(owner.token()).path("id", org.getString("id")).send().expect(200).json();
    assertThat(got.getString("slug")).isEqualTo(slug);

    JsonObject renamed = api.call("updateOrg").bearer(owner.token()).path("id", org.getString("id"))
      .body(new JsonObject().put("name", "Acme Inc")).send().expect(200).json();
    assertThat(renamed.getString("name")).isEqualTo("Acme Inc");
    assertThat(renamed.getJsonObject("settings").getString("tz")).isEqualTo("UTC");
  }

  /** Every mutating org endpoint against every role: what each role may do, and a clear 403 otherwise. */
  @Test
  void roleMatrix() {
    String[] roles = {"owner", "admin", "member", "reader"};
    String[] ops = {"updateOrg", "inviteOrgMember", "updateOrgMember", "removeOrgMember", "deleteOrgInvite",
      "listOrgInvites", "listOrgAudit", "deleteOrg"};
    List<String> failures = new ArrayList<>();
    for (String op : ops) {
      for (String role : roles) {
        Users.Registered owner = Users.register(api);
        String orgId = Workspaces.org(api, owner).getString("id");
        Users.Registered actor = owner;
        if (!role.equals("owner")) {
          actor = Users.register(api);
          Workspaces.join(app, owner, orgId, actor, role);
        }
        Users.Registered target = Users.register(api);
        Workspaces.join(app, owner, orgId, target, "member");
        String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
          .body(new JsonObject().put("email", Users.uniqueEmail())).send().expect(201).json().getString("invite_id");
        String before = Workspaces.snapshot(app);
        Api.Resp r = switch (op) {
          case "updateOrg" -> api.call(op).bearer(actor.token()).path("id", orgId)
            .body(new JsonObject().put("name", "Renamed")).send();
          case "inviteOrgMember" -> api.call(op).bearer(actor.token()).path("id", orgId)
            .body(new JsonObject().put("email", Users.uniqueEmail())).send();
          case "updateOrgMember" -> api.call(op).bearer(actor.token()).path("id", orgId).path("user_id", target.id())
            .body(new JsonObject().put("role", "reader")).send();
          case "removeOrgMember" -> api.call(op).bearer(actor.token()).path("id", orgId).path("user_id", target.id()).send();
          case "deleteOrgInvite" -> api.call(op).bearer(actor.token()).path("id", orgId).path("invite_id", inviteId).send();
          case "listOrgInvites", "listOrgAudit", "deleteOrg" -> api.call(op).bearer(actor.token()).path("id", orgId).send();
          default -> throw new IllegalStateException(op);
        };
        boolean allowed = op.equals("deleteOrg") ? role.equals("owner") : role.equals("owner") || role.equals("admin");
        int expected = !allowed ? 403 : op.equals("inviteOrgMember") ? 201 : 200;
        if (r.status() != expected) {
          failures.add(op + " as " + role + ": expected " + expected + " got " + r);
        } else if (!allowed) {
          if (!r.error().getString("type").equals("permission_denied")) {
            failures.add(op + " as " + role + ": wrong error " + r);
          }
          if (!before.equals(Workspaces.snapshot(app))) {
            failures.add(op + " as " + role + ": refused but something changed");
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void ownershipRulesAndTheLastOwner() {
    Users.Registered owner = Users.register(api);
    Users.Registered admin = Users.register(api);
    Users.Registered member = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Workspaces.join(app, owner, orgId, admin, "admin");
    Workspaces.join(app, owner, orgId, member, "member");

    // an admin cannot make owners, nor touch an owner
    Api.Resp grant = api.call("updateOrgMember").bearer(admin.token()).path("id", orgId).path("user_id", member.id())
      .body(new JsonObject().put("role", "owner")).send();
    assertThat(grant.status()).isEqualTo(403);
    assertThat(api.call("updateOrgMember").bearer(admin.token()).path("id", orgId).path("user_id", owner.id())
      .body(new JsonObject().put("role", "member")).send().status()).isEqualTo(403);
    assertThat(api.call("removeOrgMember").bearer(admin.token()).path("id", orgId).path("user_id", owner.id())
      .send().status()).isEqualTo(403);
    Api.Resp inviteOwner = api.call("inviteOrgMember").bearer(admin.token()).path("id", orgId)
      .body(new JsonObject().put("email", Users.uniqueEmail()).put("role", "owner")).send();
    assertThat(inviteOwner.status()).isEqualTo(403);

    // the last owner can neither be demoted nor leave
    Api.Resp demote = api.call("updateOrgMember").bearer(owner.token()).path("id", orgId).path("user_id", owner.id())
      .body(new JsonObject().put("role", "admin")).send();
    assertThat(demote.status()).isEqualTo(409);
    assertThat(demote.error().getString("code")).isEqualTo("last_owner");
    Api.Resp leave = api.call("removeOrgMember").bearer(owner.token()).path("id", orgId).path("user_id", owner.id()).send();
    assertThat(leave.status()).isEqualTo(409);
    assertThat(leave.error().getString("code")).isEqualTo("last_owner");

    // with a second owner the first can step down
    api.call("updateOrgMember").bearer(owner.token()).path("id", orgId).path("user_id", member.id())
      .body(new JsonObject().put("role", "owner")).send().expect(200);
    api.call("updateOrgMember").bearer(owner.token()).path("id", orgId).path("user_id", owner.id())
      .body(new JsonObject().put("role", "admin")).send().expect(200);

    // a member may leave on its own; afterwards the org is invisible to it
    Users.Registered leaver = Users.register(api);
    Workspaces.join(app, admin, orgId, leaver, "reader");
    api.call("removeOrgMember").bearer(leaver.token()).path("id", orgId).path("user_id", leaver.id()).send().expect(200);
    assertThat(api.call("getOrg").bearer(leaver.token()).path("id", orgId).send().status()).isEqualTo(404);

    JsonArray members = api.call("listOrgMembers").bearer(owner.token()).path("id", orgId).send().expect(200).json()
      .getJsonArray("data");
    assertThat(members).hasSize(3);
    assertThat(members.stream().map(m -> ((JsonObject) m).getString("email"))).contains(owner.email(), member.email());
  }

  @Test
  void auditLogRecordsMembershipChangesWithRequestFacts() {
    Users.Registered owner = Users.register(api);
    Users.Registered user = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).header("User-Agent", "audit-test/1")
      .body(new JsonObject().put("email", user.email())).send().expect(201).json().getString("invite_id");
    Users.verify(app, user);
    api.call("acceptInvite").bearer(user.token()).path("id", inviteId).header("User-Agent", "audit-test/2")
      .body(new JsonObject().put("token", Workspaces.inviteToken(app, user.email(), inviteId))).send().expect(200);
    api.call("updateOrgMember").bearer(owner.token()).path("id", orgId).path("user_id", user.id())
      .body(new JsonObject().put("role", "admin")).send().expect(200);
    api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
      .body(new JsonObject().put("email", Users.uniqueEmail())).send().expect(201);
    api.call("removeOrgMember").bearer(owner.token()).path("id", orgId).path("user_id", user.id()).send().expect(200);

    List<String> expected = List.of("member.removed", "invite.sent", "member.role_changed", "member.added",
      "invite.accepted", "invite.sent", "org.created");
    Workspaces.eventually(() -> api.call("listOrgAudit").bearer(owner.token()).path("id", orgId).send().json()
      .getJsonArray("data").size() >= expected.size());
    JsonArray events = api.call("listOrgAudit").bearer(owner.token()).path("id", orgId).send().expect(200).json()
      .getJsonArray("data");
    List<String> actions = events.stream().map(e -> ((JsonObject) e).getString("action")).toList();
    assertThat(actions).containsExactlyInAnyOrderElementsOf(expected);
    JsonObject added = events.stream().map(e -> (JsonObject) e).filter(e -> e.getString("action").equals("member.added"))
      .findFirst().orElseThrow();
    assertThat(added.getString("actor_id")).isEqualTo(user.id());
    assertThat(added.getString("target")).isEqualTo(user.id());
    assertThat(added.getString("user_agent")).isEqualTo("audit-test/2");
    assertThat(added.getString("ip")).isNotBlank();
    JsonObject sent = events.stream().map(e -> (JsonObject) e)
      .filter(e -> e.getString("action").equals("invite.sent") && e.getString("target").equals(user.email()))
      .findFirst().orElseThrow();
    assertThat(sent.getString("actor_id")).isEqualTo(owner.id());
    assertThat(sent.getString("user_agent")).isEqualTo("audit-test/1");
    JsonObject changed = events.stream().map(e -> (JsonObject) e)
      .filter(e -> e.getString("action").equals("member.role_changed")).findFirst().orElseThrow();
    assertThat(changed.getJsonObject("metadata")).isEqualTo(new JsonObject().put("from", "member").put("to", "admin"));

    JsonArray filtered = api.call("listOrgAudit").bearer(owner.token()).path("id", orgId).query("action", "invite.sent")
      .send().expect(200).json().getJsonArray("data");
    assertThat(filtered).hasSize(2);
  }

  @Test
  void theAuditLogOfAnOrgWhosePlanLacksItIs402AsTheContractSays() {
    try (TestApp team = TestApp.start(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "team"))) {
      Users.Registered owner = Users.register(team.api());
      String orgId = Workspaces.org(team.api(), owner).getString("id");
      Api.Resp r = team.api().call("listOrgAudit").bearer(owner.token()).path("id", orgId).send();
      assertThat(r.status()).isEqualTo(402);
      assertThat(r.error().getString("code")).isEqualTo("feature_not_available");
      assertThat(r.error().getString("feature")).isEqualTo("audit_logs");
      assertThat(Contract.documentedStatuses("listOrgAudit")).as("the contract lists that 402").contains("402");
    }
  }

  @Test
  void deletingAnOrgCascadesMembersAndInvitesAndDetachesWork() {
    Users.Registered owner = Users.register(api);
    Users.Registered member = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Workspaces.join(app, owner, orgId, member, "member");
    api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
      .body(new JsonObject().put("email", Users.uniqueEmail())).send().expect(201);
    JsonObject orgProject = Workspaces.project(api, member, new JsonObject().put("name", "Shared").put("slug", "dup")
      .put("org_id", orgId));
    Workspaces.project(api, member, new JsonObject().put("name", "Mine").put("slug", "dup"));
    JsonObject thread = Workspaces.thread(api, member, new JsonObject().put("title", "t").put("project_id",
      orgProject.getString("id")));
    assertThat(thread.getString("org_id")).isEqualTo(orgId);
    JsonObject session = api.call("createSession").bearer(member.token()).body(new JsonObject().put("org_id", orgId))
      .send().expect(201).json();

    assertThat(api.call("deleteOrg").bearer(member.token()).path("id", orgId).send().status()).isEqualTo(403);
    api.call("deleteOrg").bearer(owner.token()).path("id", orgId).send().expect(200);

    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_members WHERE org_id = '" + orgId + "'")).isZero();
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_invites WHERE org_id = '" + orgId + "'")).isZero();
    assertThat(api.call("getOrg").bearer(owner.token()).path("id", orgId).send().status()).isEqualTo(404);

    // the work stays with its creator, now personal
    JsonObject t = api.call("getThread").bearer(member.token()).path("id", thread.getString("id")).send().expect(200).json();
    assertThat(t.getString("org_id")).isNull();
    assertThat(t.getString("project_id")).isEqualTo(orgProject.getString("id"));
    JsonObject p = api.call("getProject").bearer(member.token()).path("id", orgProject.getString("id")).send().expect(200).json();
    assertThat(p.getString("org_id")).isNull();
    assertThat(p.getString("slug")).startsWith("dup-");
    JsonObject s = api.call("getSession").bearer(member.token()).path("id", session.getString("id")).send().expect(200).json();
    assertThat(s.getString("org_id")).isNull();

    Workspaces.eventually(() -> Workspaces.count(app,
      "SELECT count(*) FROM audit_events WHERE action = 'org.deleted' AND org_id = '" + orgId + "'") == 1);
  }
}
