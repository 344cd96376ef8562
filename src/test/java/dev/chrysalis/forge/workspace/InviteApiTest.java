package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InviteApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private static JsonObject invite(String email, String role) {
    JsonObject b = new JsonObject().put("email", email);
    return role == null ? b : b.put("role", role);
  }

  private String role(Users.Registered owner, String orgId, String userId) {
    return api.call("listOrgMembers").bearer(owner.token()).path("id", orgId).send().expect(200).json()
      .getJsonArray("data").stream().map(m -> (JsonObject) m).filter(m -> m.getString("user_id").equals(userId))
      .map(m -> m.getString("role")).findFirst().orElse(null);
  }

  private Users.Registered registerAs(String email) {
    JsonObject j = api.call("registerUser").body(new JsonObject().put("email", email).put("password", Users.PASSWORD))
      .send().expect(201).json();
    return new Users.Registered(j.getString("id"), email, j.getString("token"));
  }

  @Test
  void existingUserIsAddedAtOnce() {
    Users.Registered owner = Users.register(api);
    Users.Registered user = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    JsonObject r = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
      .body(invite(user.email().toUpperCase(), "reader")).send().expect(201).json();
    assertThat(r.getString("status")).isEqualTo("added");
    assertThat(r.getString("user_id")).isEqualTo(user.id());
    assertThat(role(owner, orgId, user.id())).isEqualTo("reader");
    assertThat(api.call("getOrg").bearer(user.token()).path("id", orgId).send().expect(200).json().getString("role"))
      .isEqualTo("reader");

    Api.Resp again = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(user.email(), null)).send();
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error().getString("code")).isEqualTo("already_member");
  }

  @Test
  void unknownEmailIsInvitedAndJoinsOnRegistration() {
    Users.Registered owner = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    String email = Users.uniqueEmail();
    JsonObject r = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(email, "admin"))
      .send().expect(201).json();
    assertThat(r.getString("status")).isEqualTo("invited");
    assertThat(r.getString("email")).isEqualTo(email);
    String inviteId = r.getString("invite_id");
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_invites WHERE id = '" + inviteId
      + "' AND expires_at BETWEEN now() + interval '6 days 23 hours' AND now() + interval '7 days 1 minute'")).isEqualTo(1);

    // sending again refreshes the same invite
    JsonObject again = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(email, "member"))
      .send().expect(201).json();
    assertThat(again.getString("invite_id")).isEqualTo(inviteId);
    JsonObject listed = api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().expect(200).json();
    assertThat(listed.getJsonArray("data")).hasSize(1);
    assertThat(listed.getJsonArray("data").getJsonObject(0).getString("status")).isEqualTo("pending");
    assertThat(listed.getJsonArray("data").getJsonObject(0).getString("role")).isEqualTo("member");

    Users.Registered user = registerAs(email);
    Workspaces.eventually(() -> api.call("getOrg").bearer(user.token()).path("id", orgId).send().status() == 200);
    assertThat(role(owner, orgId, user.id())).isEqualTo("member");
    assertThat(api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().json().getJsonArray("data")).isEmpty();
    Workspaces.eventually(() -> Workspaces.count(app, "SELECT count(*) FROM audit_events WHERE org_id = '" + orgId
      + "' AND action = 'invite.accepted' AND actor_id = '" + user.id() + "'") == 1);
  }

  @Test
  void expiredInviteIsNeitherAcceptedOnRegistrationNorByHand() {
    Users.Registered owner = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    String email = Users.uniqueEmail();
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(email, null))
      .send().expect(201).json().getString("invite_id");
    Workspaces.sql(app, "UPDATE org_invites SET expires_at = now() - interval '1 second' WHERE id = '" + inviteId + "'");
    assertThat(api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().json().getJsonArray("data")
      .getJsonObject(0).getString("status")).isEqualTo("expired");

    Users.Registered user = registerAs(email);
    Api.Resp accept = api.call("acceptInvite").bearer(user.token()).path("id", inviteId).send();
    assertThat(accept.status()).isEqualTo(409);
    assertThat(accept.error().getString("code")).isEqualTo("invite_expired");
    assertThat(api.call("getOrg").bearer(user.token()).path("id", orgId).send().status()).isEqualTo(404);
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_members WHERE org_id = '" + orgId + "'")).isEqualTo(1);
  }

  @Test
  void acceptByHandAndWrongEmail() {
    Users.Registered owner = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    // a pending invite for an address that already has an account: the registration raced the
    // invite, or its event was lost with a node. The API adds existing accounts at once, so store it directly.
    String email = Users.uniqueEmail();
    Users.Registered invitee = registerAs(email);
    Users.Registered stranger = Users.register(api);
    String inviteId = "inv_manualacceptance1";
    Workspaces.sql(app, "INSERT INTO org_invites (id, org_id, email, role, invited_by, expires_at) VALUES ('"
      + inviteId + "', '" + orgId + "', '" + email + "', 'member', '" + owner.id() + "', now() + interval '1 day')");

    String before = Workspaces.snapshot(app);
    Api.Resp wrong = api.call("acceptInvite").bearer(stranger.token()).path("id", inviteId).send();
    assertThat(wrong.status()).isEqualTo(404);
    assertThat(wrong.error().getString("type")).isEqualTo("not_found");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
    assertThat(api.call("acceptInvite").bearer(stranger.token()).path("id", "inv_doesnotexist").send().status())
      .isEqualTo(404);

    JsonObject ok = api.call("acceptInvite").bearer(invitee.token()).path("id", inviteId).send().expect(200).json();
    assertThat(ok.getString("org_id")).isEqualTo(orgId);
    assertThat(ok.getString("role")).isEqualTo("member");
    assertThat(role(owner, orgId, invitee.id())).isEqualTo("member");
    // accepted invites are spent
    assertThat(api.call("acceptInvite").bearer(invitee.token()).path("id", inviteId).send().status()).isEqualTo(404);
  }

  @Test
  void revokedInviteIsNotAcceptedOnRegistration() {
    Users.Registered owner = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    String email = Users.uniqueEmail();
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(email, null))
      .send().expect(201).json().getString("invite_id");
    api.call("deleteOrgInvite").bearer(owner.token()).path("id", orgId).path("invite_id", inviteId).send().expect(200);
    assertThat(api.call("deleteOrgInvite").bearer(owner.token()).path("id", orgId).path("invite_id", inviteId).send()
      .status()).isEqualTo(404);
    Users.Registered user = registerAs(email);
    assertThat(api.call("acceptInvite").bearer(user.token()).path("id", inviteId).send().status()).isEqualTo(404);
    assertThat(api.call("listOrgs").bearer(user.token()).send().json().getJsonArray("data")).isEmpty();
  }
}
