package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The membership check billing asks the workspace for, on the bus and end to end through an org-context call. */
class MembershipApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  @Test
  void membershipOnTheBus() throws Exception {
    Users.Registered owner = Users.register(api);
    Users.Registered reader = Users.register(api);
    Users.Registered stranger = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Workspaces.join(app, owner, orgId, reader, "reader");
    WorkspaceService bus = WorkspaceService.createProxy(app.vertx());

    assertThat(bus.getMembership(orgId, reader.id()).await(10, TimeUnit.SECONDS))
      .isEqualTo(new JsonObject().put("org_id", orgId).put("user_id", reader.id()).put("role", "reader"));
    for (String[] bad : new String[][] {{orgId, stranger.id()}, {"org_missing", owner.id()}}) {
      assertThatThrownBy(() -> bus.getMembership(bad[0], bad[1]).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.failureCode()).isEqualTo(404));
    }
  }

  @Test
  void billingTrustsAnOrgIdOnlyForItsMembers() {
    Users.Registered owner = Users.register(api);
    Users.Registered stranger = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    api.call("getBillingPlan").bearer(owner.token()).query("org_id", orgId).send().expect(200);
    Api.Resp r = api.call("getBillingPlan").bearer(stranger.token()).query("org_id", orgId).send();
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error().getString("code")).isEqualTo("org_not_found");
  }
}
