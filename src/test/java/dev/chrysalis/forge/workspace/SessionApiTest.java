package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Sessions over HTTP, and the bus methods the gateway's thread chat uses (through the workspace proxy). */
@ExtendWith(VertxExtension.class)
class SessionApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();
  private final WorkspaceService bus = WorkspaceService.createProxy(app.vertx());

  private static JsonObject message(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  @Test
  void httpSessionsWithMessages(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    JsonObject s = api.call("createSession").bearer(u.token()).body(new JsonObject().put("mode", "architect").put("title", "Plan"))
      .send().expect(201).json();
    assertThat(s.getString("mode")).isEqualTo("architect");
    assertThat(s.getString("status")).isEqualTo("active");
    JsonObject plain = api.call("createSession").bearer(u.token()).send().expect(201).json();
    assertThat(plain.getString("mode")).isEqualTo("ask");

    bus.appendMessages(u.id(), s.getString("id"), new JsonArray()
      .add(message("user", "hello"))
      .add(message("assistant", "hi").put("tokens_in", 12).put("tokens_out", 3).put("cost_usd", 0.00042)
        .put("model", "gpt-4o-mini")))
      .onComplete(ctx.succeedingThenComplete());
    BusFlow.await(ctx);

    JsonObject got = api.call("getSession").bearer(u.token()).path("id", s.getString("id")).send().expect(200).json();
    assertThat(got.getJsonArray("messages")).hasSize(2);
    JsonObject answer = got.getJsonArray("messages").getJsonObject(1);
    assertThat(answer.getString("content")).isEqualTo("hi");
    assertThat(answer.getInteger("tokens_in")).isEqualTo(12);
    assertThat(answer.getDouble("cost_usd")).isEqualTo(0.00042);
    assertThat(got.getJsonObject("usage").getInteger("tokens_out")).isEqualTo(3);
    assertThat(got.getJsonObject("usage").getInteger("message_count")).isEqualTo(2);

    JsonObject list = api.call("listSessions").bearer(u.token()).query("limit", "1").send().expect(200).json();
    assertThat(list.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(plain.getString("id"));
    JsonObject page2 = api.call("listSessions").bearer(u.token()).query("after", list.getString("next_cursor")).send()
      .expect(200).json();
    assertThat(page2.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(s.getString("id"));

    Users.Registered other = Users.register(api);
    assertThat(api.call("getSession").bearer(other.token()).path("id", s.getString("id")).send().status()).isEqualTo(404);
  }

  @Test
  void threadChatSessionLifecycleOnTheBus(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    String threadId = Workspaces.thread(api, u, new JsonObject().put("title", "chat")).getString("id");
    String[] sessionId = new String[1];

    bus.activeThreadSession(u.id(), threadId, new JsonObject().put("mode", "code"))
      .compose(first -> {
        ctx.verify(() -> {
          assertThat(first.getBoolean("created")).isTrue();
          assertThat(first.getString("thread_id")).isEqualTo(threadId);
          assertThat(first.getString("title")).isEqualTo("chat");
        });
        sessionId[0] = first.getString("id");
        return bus.activeThreadSession(u.id(), threadId, null);
      })
      .compose(same -> {
        ctx.verify(() -> {
          assertThat(same.getString("id")).isEqualTo(sessionId[0]);
          assertThat(same.getBoolean("created")).isFalse();
        });
        return bus.appendMessages(u.id(), sessionId[0], new JsonArray()
          .add(message("system", "be brief")).add(message("user", "q1")));
      })
      .compose(appended -> {
        ctx.verify(() -> assertThat(appended.getJsonArray("message_ids")).hasSize(2));
        return bus.appendMessages(u.id(), sessionId[0], new JsonArray().add(message("assistant", "a1").put("tokens_out", 5)));
      })
      .compose(v -> bus.sessionHistory(u.id(), sessionId[0], 2))
      .compose(last2 -> {
        ctx.verify(() -> {
          assertThat(last2.getBoolean("has_more")).isTrue();
          assertThat(last2.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("content")))
            .containsExactly("q1", "a1");
        });
        return bus.archiveSession(u.id(), sessionId[0], new JsonObject().put("summary", "talked about q1"));
      })
      .onComplete(ctx.succeeding(archived -> ctx.verify(() -> {
        assertThat(archived.getString("status")).isEqualTo("archived");
        assertThat(archived.getString("archived_at")).isNotNull();
        ctx.completeNow();
      })));
    BusFlow.await(ctx);

    JsonObject thread = api.call("getThread").bearer(u.token()).path("id", threadId).send().expect(200).json();
    assertThat(thread.getString("summary")).isEqualTo("talked about q1");

    VertxTestContext after = new VertxTestContext();
    BusFlow.refusal(bus.appendMessages(u.id(), sessionId[0], new JsonArray().add(message("user", "late"))))
      .compose(late -> {
        after.verify(() -> assertThat(late).isEqualTo("409 session_archived"));
        return bus.activeThreadSession(u.id(), threadId, null);
      })
      .onComplete(after.succeeding(fresh -> after.verify(() -> {
        assertThat(fresh.getString("id")).isNotEqualTo(sessionId[0]);
        assertThat(fresh.getBoolean("created")).isTrue();
        after.completeNow();
      })));
    BusFlow.await(after);
  }

  @Test
  void busMethodsCheckVisibilityAndInput(VertxTestContext ctx) throws Throwable {
    Users.Registered owner = Users.register(api);
    Users.Registered reader = Users.register(api);
    Users.Registered stranger = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Workspaces.join(app, owner, orgId, reader, "reader");
    String threadId = Workspaces.thread(api, owner, new JsonObject().put("org_id", orgId)).getString("id");
    String[] sessionId = new String[1];
    bus.activeThreadSession(owner.id(), threadId, null).onComplete(ctx.succeeding(session -> {
      sessionId[0] = session.getString("id");
      ctx.completeNow();
    }));
    BusFlow.await(ctx);
    String before = Workspaces.snapshot(app);

    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 101; i++) {
      tooMany.add(message("user", "m" + i));
    }
    JsonArray[] bad = {
      new JsonArray(),
      new JsonArray().add("not an object"),
      new JsonArray().add(message("robot", "x")),
      new JsonArray().add(new JsonObject().put("role", "user")),
      new JsonArray().add(message("user", "x").put("tokens_in", -1)),
      new JsonArray().add(message("user", "x").put("tokens_out", 1.5)),
      new JsonArray().add(message("user", "x").put("cost_usd", -0.1)),
      new JsonArray().add(message("user", "x").put("cost_usd", "free")),
      new JsonArray().add(message("user", "x").put("model", "m".repeat(201))),
      new JsonArray().add(message("user", "ok")).add(message("user", "x".repeat(1_000_001))),
      tooMany,
    };
    VertxTestContext refusalsFlow = new VertxTestContext();
    Future.succeededFuture(sessionId[0])
      .compose(session -> {
        Map<String, Future<String>> refusals = new LinkedHashMap<>();
        refusals.put("stranger opens", BusFlow.refusal(bus.activeThreadSession(stranger.id(), threadId, null)));
        refusals.put("reader opens", BusFlow.refusal(bus.activeThreadSession(reader.id(), threadId, null)));
        refusals.put("missing thread", BusFlow.refusal(bus.activeThreadSession(owner.id(), "T-missing", null)));
        refusals.put("bad mode", BusFlow.refusal(bus.activeThreadSession(owner.id(), threadId,
          new JsonObject().put("mode", "chaos"))));
        refusals.put("stranger appends", BusFlow.refusal(bus.appendMessages(stranger.id(), session,
          new JsonArray().add(message("user", "x")))));
        refusals.put("stranger reads", BusFlow.refusal(bus.sessionHistory(stranger.id(), session, 10)));
        refusals.put("stranger archives", BusFlow.refusal(bus.archiveSession(stranger.id(), session, null)));
        refusals.put("limit 0", BusFlow.refusal(bus.sessionHistory(owner.id(), session, 0)));
        refusals.put("limit 1001", BusFlow.refusal(bus.sessionHistory(owner.id(), session, 1001)));
        refusals.put("summary not text", BusFlow.refusal(bus.archiveSession(owner.id(), session,
          new JsonObject().put("summary", 42))));
        for (int i = 0; i < bad.length; i++) {
          refusals.put("bad messages #" + i, BusFlow.refusal(bus.appendMessages(owner.id(), session, bad[i])));
        }
        return Future.all(new ArrayList<>(refusals.values())).map(all -> {
          Map<String, String> out = new LinkedHashMap<>();
          refusals.forEach((k, f) -> out.put(k, f.result()));
          return out;
        });
      })
      .onComplete(refusalsFlow.succeeding(got -> refusalsFlow.verify(() -> {
        assertThat(got).containsEntry("stranger opens", "404 not_found")
          .containsEntry("reader opens", "403 read_only")
          .containsEntry("missing thread", "404 not_found")
          .containsEntry("bad mode", "400 invalid_request")
          .containsEntry("stranger appends", "404 not_found")
          .containsEntry("stranger reads", "404 not_found")
          .containsEntry("stranger archives", "404 not_found")
          .containsEntry("limit 0", "400 invalid_limit")
          .containsEntry("limit 1001", "400 invalid_limit")
          .containsEntry("summary not text", "400 invalid_request");
        for (int i = 0; i < bad.length; i++) {
          assertThat(got.get("bad messages #" + i)).as(bad[i].encode().substring(0, Math.min(80, bad[i].encode().length())))
            .startsWith("400 ");
        }
        refusalsFlow.completeNow();
      })));
    BusFlow.await(refusalsFlow);
    assertThat(Workspaces.snapshot(app)).as("refusals change nothing").isEqualTo(before);
  }
}
