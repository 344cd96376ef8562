package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.DevMailbox;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invites are bound to a mailed secret: whoever the address belongs to, nobody joins until the
 * signed-in owner of the verified address accepts with the secret from the mail.
 */
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

  private Api.Resp accept(Users.Registered user, String inviteId, String token) {
    return api.call("acceptInvite").bearer(user.token()).path("id", inviteId).body(new JsonObject().put("token", token)).send();
  }

  private long members(String orgId) {
    return Workspaces.count(app, "SELECT count(*) FROM org_members WHERE org_id = '" + orgId + "'");
  }

  @Test
  void anExistingAccountIsInvitedNotAddedAndTheAnswerDoesNotRevealIt() {
    Users.Registered owner = Users.register(api);
    Users.Registered existing = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");

    JsonObject toExisting = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
      .body(invite(existing.email().toUpperCase(), "admin")).send().expect(201).json();
    JsonObject toNobody = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
      .body(invite(Users.uniqueEmail(), "admin")).send().expect(201).json();

    assertThat(toExisting.fieldNames()).isEqualTo(toNobody.fieldNames());
    assertThat(toExisting.getString("status")).isEqualTo("invited").isEqualTo(toNobody.getString("status"));
    assertThat(toExisting.getString("email")).isEqualTo(existing.email());
    assertThat(toExisting.containsKey("user_id")).isFalse();
    // pending, not a member: the org is invisible to the invited account until it accepts
    assertThat(members(orgId)).isEqualTo(1);
    assertThat(api.call("getOrg").bearer(existing.token()).path("id", orgId).send().status()).isEqualTo(404);
    assertThat(api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().expect(200).json()
      .getJsonArray("data")).hasSize(2);
    // the secret travels by mail only, and only its hash is stored
    String token = Workspaces.inviteToken(app, existing.email(), toExisting.getString("invite_id"));
    assertThat(toExisting.encode()).doesNotContain(token);
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_invites WHERE token_hash = '" + token + "'")).isZero();
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_invites WHERE id = '" + toExisting.getString("invite_id")
      + "' AND length(token_hash) = 64")).isEqualTo(1);
  }

  @Test
  void theVerifiedInvitedAccountJoinsWithTheMailedSecret() {
    Users.Registered owner = Users.register(api);
    Users.Registered invitee = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(invitee.email(), "reader"))
      .send().expect(201).json().getString("invite_id");
    String token = Workspaces.inviteToken(app, invitee.email(), inviteId);
    List<String> mails = DevMailbox.mailsTo(app, invitee.email(), 1);
    assertThat(mails.get(mails.size() - 1)).contains("/#/invite/" + inviteId + "?token=" + token);

    // not yet verified: refused, nothing changes
    String before = Workspaces.snapshot(app);
    Api.Resp unverified = accept(invitee, inviteId, token);
    assertThat(unverified.status()).isEqualTo(403);
    assertThat(unverified.error().getString("code")).isEqualTo("email_not_verified");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);

    Users.verify(app, invitee);
    JsonObject ok = accept(invitee, inviteId, token).expect(200).json();
    assertThat(ok.getString("status")).isEqualTo("accepted");
    assertThat(ok.getString("org_id")).isEqualTo(orgId);
    assertThat(ok.getString("role")).isEqualTo("reader");
    assertThat(role(owner, orgId, invitee.id())).isEqualTo("reader");
    assertThat(api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().json().getJsonArray("data")).isEmpty();
    Workspaces.eventually(() -> Workspaces.count(app, "SELECT count(*) FROM audit_events WHERE org_id = '" + orgId
      + "' AND action = 'invite.accepted' AND actor_id = '" + invitee.id() + "'") == 1);
    // spent
    assertThat(accept(invitee, inviteId, token).status()).isEqualTo(404);
  }

  @Test
  void aWrongSecretOrAnotherAccountGetsNotFoundAndNothingChanges() {
    Users.Registered owner = Users.register(api);
    Users.Registered invitee = Users.register(api);
    Users.Registered stranger = Users.register(api);
    Users.verify(app, invitee);
    Users.verify(app, stranger);
    String orgId = Workspaces.org(api, owner).getString("id");
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(invitee.email(), null))
      .send().expect(201).json().getString("invite_id");
    String token = Workspaces.inviteToken(app, invitee.email(), inviteId);

    String before = Workspaces.snapshot(app);
    for (Api.Resp r : List.of(
      accept(invitee, inviteId, (token.charAt(0) == 'x' ? "y" : "x") + token.substring(1)),
      accept(stranger, inviteId, token),
      accept(invitee, "inv_doesnotexist", token))) {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.error().getString("type")).isEqualTo("not_found");
    }
    Api.Resp noToken = api.call("acceptInvite").bearer(invitee.token()).path("id", inviteId).body(new JsonObject()).send();
    assertThat(noToken.status()).isEqualTo(400);
    Api.Resp noBody = api.call("acceptInvite").bearer(invitee.token()).path("id", inviteId).send();
    assertThat(noBody.status()).isEqualTo(400);
    Api.Resp badToken = accept(invitee, inviteId, "short");
    assertThat(badToken.status()).isEqualTo(400);
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
    assertThat(members(orgId)).isEqualTo(1);
  }

  @Test
  void sendingAgainRefreshesTheInviteAndTheEarlierLinkDies() {
    Users.Registered owner = Users.register(api);
    Users.Registered invitee = Users.register(api);
    Users.verify(app, invitee);
    String orgId = Workspaces.org(api, owner).getString("id");
    JsonObject first = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(invitee.email(), "admin"))
      .send().expect(201).json();
    String inviteId = first.getString("invite_id");
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_invites WHERE id = '" + inviteId
      + "' AND expires_at BETWEEN now() + interval '6 days 23 hours' AND now() + interval '7 days 1 minute'")).isEqualTo(1);
    String oldToken = Workspaces.inviteToken(app, invitee.email(), inviteId);

    JsonObject again = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(invitee.email(), "member"))
      .send().expect(201).json();
    assertThat(again.getString("invite_id")).isEqualTo(inviteId);
    DevMailbox.mailsTo(app, invitee.email(), 3);
    String newToken = Workspaces.inviteToken(app, invitee.email(), inviteId);
    assertThat(newToken).isNotEqualTo(oldToken);
    JsonObject listed = api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().expect(200).json();
    assertThat(listed.getJsonArray("data")).hasSize(1);
    assertThat(listed.getJsonArray("data").getJsonObject(0).getString("role")).isEqualTo("member");

    assertThat(accept(invitee, inviteId, oldToken).status()).isEqualTo(404);
    assertThat(accept(invitee, inviteId, newToken).expect(200).json().getString("role")).isEqualTo("member");
  }

  @Test
  void registeringTheInvitedAddressJoinsNothing() {
    Users.Registered owner = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    String email = Users.uniqueEmail();
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(email, "admin"))
      .send().expect(201).json().getString("invite_id");

    Users.Registered user = registerAs(email);
    Users.verify(app, user);
    assertThat(api.call("listOrgs").bearer(user.token()).send().expect(200).json().getJsonArray("data")).isEmpty();
    assertThat(members(orgId)).isEqualTo(1);
    assertThat(api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().json().getJsonArray("data")).hasSize(1);
    // the new account joins with the link from the mail, like any other
    accept(user, inviteId, Workspaces.inviteToken(app, email, inviteId)).expect(200);
    assertThat(role(owner, orgId, user.id())).isEqualTo("admin");
  }

  @Test
  void expiredInviteIsNotAccepted() {
    Users.Registered owner = Users.register(api);
    Users.Registered invitee = Users.register(api);
    Users.verify(app, invitee);
    String orgId = Workspaces.org(api, owner).getString("id");
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(invitee.email(), null))
      .send().expect(201).json().getString("invite_id");
    String token = Workspaces.inviteToken(app, invitee.email(), inviteId);
    Workspaces.sql(app, "UPDATE org_invites SET expires_at = now() - interval '1 second' WHERE id = '" + inviteId + "'");
    assertThat(api.call("listOrgInvites").bearer(owner.token()).path("id", orgId).send().json().getJsonArray("data")
      .getJsonObject(0).getString("status")).isEqualTo("expired");

    Api.Resp r = accept(invitee, inviteId, token);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error().getString("code")).isEqualTo("invite_expired");
    assertThat(api.call("getOrg").bearer(invitee.token()).path("id", orgId).send().status()).isEqualTo(404);
    assertThat(members(orgId)).isEqualTo(1);
  }

  @Test
  void revokedInviteIsNotAccepted() {
    Users.Registered owner = Users.register(api);
    Users.Registered invitee = Users.register(api);
    Users.verify(app, invitee);
    String orgId = Workspaces.org(api, owner).getString("id");
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId).body(invite(invitee.email(), null))
      .send().expect(201).json().getString("invite_id");
    String token = Workspaces.inviteToken(app, invitee.email(), inviteId);
    api.call("deleteOrgInvite").bearer(owner.token()).path("id", orgId).path("invite_id", inviteId).send().expect(200);
    assertThat(api.call("deleteOrgInvite").bearer(owner.token()).path("id", orgId).path("invite_id", inviteId).send()
      .status()).isEqualTo(404);
    assertThat(accept(invitee, inviteId, token).status()).isEqualTo(404);
    assertThat(api.call("listOrgs").bearer(invitee.token()).send().json().getJsonArray("data")).isEmpty();
  }
}
