package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** The membership check billing asks the workspace for, on the bus and end to end through an org-context call. */
@ExtendWith(VertxExtension.class)
class MembershipApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  @Test
  void membershipOnTheBus(VertxTestContext ctx) throws Throwable {
    Users.Registered owner = Users.register(api);
    Users.Registered reader = Users.register(api);
    Users.Registered stranger = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Workspaces.join(app, owner, orgId, reader, "reader");
    WorkspaceService bus = WorkspaceService.createProxy(app.vertx());

    bus.getMembership(orgId, reader.id())
      .compose(membership -> {
        ctx.verify(() -> assertThat(membership)
          .isEqualTo(new JsonObject().put("org_id", orgId).put("user_id", reader.id()).put("role", "reader")));
        // a stranger and an unknown org get the same answer
        return Future.all(BusFlow.refusal(bus.getMembership(orgId, stranger.id())),
          BusFlow.refusal(bus.getMembership("org_missing", owner.id())));
      })
      .onComplete(ctx.succeeding(refusals -> ctx.verify(() -> {
        assertThat(refusals.<String>resultAt(0)).startsWith("404 ");
        assertThat(refusals.<String>resultAt(1)).isEqualTo(refusals.<String>resultAt(0));
        ctx.completeNow();
      })));
    BusFlow.await(ctx);
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
