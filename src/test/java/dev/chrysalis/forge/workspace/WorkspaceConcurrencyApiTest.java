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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The invariants that need locks: they must hold when the conflicting requests arrive together. */
@ExtendWith(VertxExtension.class)
class WorkspaceConcurrencyApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private static List<Integer> together(List<Callable<Integer>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      List<Integer> out = new ArrayList<>();
      for (var f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoOwnersDemotingEachOtherLeaveOneOwner() throws Exception {
    for (int round = 0; round < 5; round++) {
      Users.Registered a = Users.register(api);
      Users.Registered b = Users.register(api);
      String orgId = Workspaces.org(api, a).getString("id");
      Workspaces.join(app, a, orgId, b, "owner");
      List<Integer> statuses = together(List.of(
        () -> api.call("updateOrgMember").bearer(a.token()).path("id", orgId).path("user_id", b.id())
          .body(new JsonObject().put("role", "member")).send().status(),
        () -> api.call("updateOrgMember").bearer(b.token()).path("id", orgId).path("user_id", a.id())
          .body(new JsonObject().put("role", "member")).send().status()));
      assertThat(statuses).containsExactlyInAnyOrder(200, 403);
      assertThat(Workspaces.count(app, "SELECT count(*) FROM org_members WHERE org_id = '" + orgId
        + "' AND role = 'owner'")).isEqualTo(1);
    }
  }

  @Test
  void opposingChildRelationsCannotBothLand() throws Exception {
    Users.Registered u = Users.register(api);
    for (int round = 0; round < 5; round++) {
      String x = Workspaces.thread(api, u, new JsonObject()).getString("id");
      String y = Workspaces.thread(api, u, new JsonObject()).getString("id");
      List<Integer> statuses = together(List.of(
        () -> api.call("addThreadRelation").bearer(u.token()).path("id", x)
          .body(new JsonObject().put("to_thread_id", y).put("relation_type", "child_of")).send().status(),
        () -> api.call("addThreadRelation").bearer(u.token()).path("id", y)
          .body(new JsonObject().put("to_thread_id", x).put("relation_type", "continues_from")).send().status()));
      assertThat(statuses).containsExactlyInAnyOrder(201, 409);
    }
  }

  @Test
  void concurrentGetOrCreateOpensOneSession(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    String threadId = Workspaces.thread(api, u, new JsonObject()).getString("id");
    WorkspaceService bus = WorkspaceService.createProxy(app.vertx());
    List<Future<JsonObject>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(bus.activeThreadSession(u.id(), threadId, null));
    }
    Future.all(all).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      Set<String> ids = new HashSet<>();
      all.forEach(f -> ids.add(f.result().getString("id")));
      assertThat(ids).hasSize(1);
      assertThat(all.stream().filter(f -> f.result().getBoolean("created")).count()).isEqualTo(1);
      ctx.completeNow();
    })));
    BusFlow.await(ctx);
  }
}
