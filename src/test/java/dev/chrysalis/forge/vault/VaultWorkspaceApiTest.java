package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.NoKeyLeaks;
import dev.chrysalis.forge.testing.PlaintextKeys;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Organization keys against the real workspace service: real orgs, invites, role changes, removal, deletion. */
@ExtendWith(NoKeyLeaks.class)
class VaultWorkspaceApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private Api.Resp addOrgKey(Users.Registered user, String orgId, String provider, String key) {
    return api.call("addProviderKey").bearer(user.token())
      .body(new JsonObject().put("provider", provider).put("api_key", key).put("org_id", orgId)).send();
  }

  @Test
  void realOrganizationsGateManagementAndResolution() {
    Users.Registered owner = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Users.Registered admin = Users.register(api);
    Users.Registered member = Users.register(api);
    Users.Registered reader = Users.register(api);
    Users.Registered outsider = Users.register(api);
    Workspaces.join(app, owner, orgId, admin, "admin");
    Workspaces.join(app, owner, orgId, member, "member");
    Workspaces.join(app, owner, orgId, reader, "reader");

    String orgKey = PlaintextKeys.fresh("sk-ant-");
    String keyId = addOrgKey(admin, orgId, "anthropic", orgKey).expect(201).json().getString("id");
    Api.Resp byMember = addOrgKey(member, orgId, "anthropic", PlaintextKeys.fresh("sk-ant-"));
    assertThat(byMember.status()).isEqualTo(403);
    assertThat(byMember.error().getString("code")).isEqualTo("org_admin_required");
    Api.Resp byOutsider = addOrgKey(outsider, orgId, "anthropic", PlaintextKeys.fresh("sk-ant-"));
    assertThat(byOutsider.status()).isEqualTo(404);
    assertThat(byOutsider.error().getString("code")).isEqualTo("org_not_found");
    assertThat(api.call("listProviderKeys").bearer(reader.token()).query("org_id", orgId).send().expect(200).json()
      .getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(keyId);
    assertThat(api.call("listProviderKeys").bearer(outsider.token()).query("org_id", orgId).send().status()).isEqualTo(404);

    JsonObject forMember = VaultCalls.resolve(app, VaultCalls.personal(member.id(), "anthropic").put("org_id", orgId));
    assertThat(forMember.getString("key")).isEqualTo(orgKey);
    assertThat(forMember.getString("provider_key_id")).isEqualTo(keyId);
    ServiceException forOutsider = VaultCalls.resolveFails(app,
      VaultCalls.personal(outsider.id(), "anthropic").put("org_id", orgId));
    assertThat(forOutsider.failureCode()).isEqualTo(404);
    assertThat(forOutsider.getDebugInfo().getString("code")).isEqualTo("org_not_found");

    // a removed member loses the org key at once (the workspace's member.removed audit event)
    api.call("removeOrgMember").bearer(owner.token()).path("id", orgId).path("user_id", member.id()).send().expect(200);
    Workspaces.eventually(() -> {
      try {
        VaultCalls.resolveFails(app, VaultCalls.personal(member.id(), "anthropic").put("org_id", orgId));
        return true;
      } catch (AssertionError stillThere) {
        return false;
      }
    });

    // deleting the organization deletes its keys
    api.call("deleteOrg").bearer(owner.token()).path("id", orgId).send().expect(200);
    Workspaces.eventually(() -> Workspaces.count(app, "SELECT count(*) FROM provider_keys WHERE org_id = '" + orgId + "'") == 0);
  }
}
