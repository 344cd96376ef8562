package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Sessions over HTTP, and the bus methods the gateway's thread chat uses. */
class SessionApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();
  private final WorkspaceService bus = WorkspaceService.createProxy(app.vertx());

  private static <T> T await(Future<T> f) {
    try {
      return f.await(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The failure code and error code of a bus call that must fail. */
  private static String failure(Future<?> f) {
    try {
      f.await(15, TimeUnit.SECONDS);
    } catch (ServiceException e) {
      return e.failureCode() + " " + e.getDebugInfo().getString("code");
    } catch (Exception e) {
      if (e.getCause() instanceof ServiceException se) {
        return se.failureCode() + " " + se.getDebugInfo().getString("code");
      }
      throw new IllegalStateException(e);
    }
    return fail("expected a failure");
  }

  private static JsonObject message(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  @Test
  void httpSessionsWithMessages() {
    Users.Registered u = Users.register(api);
    JsonObject s = api.call("createSession").bearer(u.token()).body(new JsonObject().put("mode", "architect").put("title", "Plan"))
      .send().expect(201).json();
    assertThat(s.getString("mode")).isEqualTo("architect");
    assertThat(s.getString("status")).isEqualTo("active");
    JsonObject plain = api.call("createSession").bearer(u.token()).send().expect(201).json();
    assertThat(plain.getString("mode")).isEqualTo("ask");

    await(bus.appendMessages(u.id(), s.getString("id"), new JsonArray()
      .add(message("user", "hello"))
      .add(message("assistant", "hi").put("tokens_in", 12).put("tokens_out", 3).put("cost_usd", 0.00042)
        .put("model", "gpt-4o-mini"))));

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
  void threadChatSessionLifecycleOnTheBus() {
    Users.Registered u = Users.register(api);
    String threadId = Workspaces.thread(api, u, new JsonObject().put("title", "chat")).getString("id");

    JsonObject first = await(bus.activeThreadSession(u.id(), threadId, new JsonObject().put("mode", "code")));
    assertThat(first.getBoolean("created")).isTrue();
    assertThat(first.getString("thread_id")).isEqualTo(threadId);
    assertThat(first.getString("title")).isEqualTo("chat");
    JsonObject same = await(bus.activeThreadSession(u.id(), threadId, null));
    assertThat(same.getString("id")).isEqualTo(first.getString("id"));
    assertThat(same.getBoolean("created")).isFalse();
    String sessionId = first.getString("id");

    JsonObject appended = await(bus.appendMessages(u.id(), sessionId, new JsonArray()
      .add(message("system", "be brief")).add(message("user", "q1"))));
    assertThat(appended.getJsonArray("message_ids")).hasSize(2);
    await(bus.appendMessages(u.id(), sessionId, new JsonArray().add(message("assistant", "a1").put("tokens_out", 5))));

    JsonObject last2 = await(bus.sessionHistory(u.id(), sessionId, 2));
    assertThat(last2.getBoolean("has_more")).isTrue();
    assertThat(last2.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("content")))
      .containsExactly("q1", "a1");

    JsonObject archived = await(bus.archiveSession(u.id(), sessionId, new JsonObject().put("summary", "talked about q1")));
    assertThat(archived.getString("status")).isEqualTo("archived");
    assertThat(archived.getString("archived_at")).isNotNull();
    JsonObject thread = api.call("getThread").bearer(u.token()).path("id", threadId).send().expect(200).json();
    assertThat(thread.getString("summary")).isEqualTo("talked about q1");
    assertThat(failure(bus.appendMessages(u.id(), sessionId, new JsonArray().add(message("user", "late")))))
      .isEqualTo("409 session_archived");

    JsonObject fresh = await(bus.activeThreadSession(u.id(), threadId, null));
    assertThat(fresh.getString("id")).isNotEqualTo(sessionId);
    assertThat(fresh.getBoolean("created")).isTrue();
  }

  @Test
  void busMethodsCheckVisibilityAndInput() {
    Users.Registered owner = Users.register(api);
    Users.Registered reader = Users.register(api);
    Users.Registered stranger = Users.register(api);
    String orgId = Workspaces.org(api, owner).getString("id");
    Workspaces.join(app, owner, orgId, reader, "reader");
    String threadId = Workspaces.thread(api, owner, new JsonObject().put("org_id", orgId)).getString("id");
    String sessionId = await(bus.activeThreadSession(owner.id(), threadId, null)).getString("id");

    assertThat(failure(bus.activeThreadSession(stranger.id(), threadId, null))).isEqualTo("404 not_found");
    assertThat(failure(bus.activeThreadSession(reader.id(), threadId, null))).isEqualTo("403 read_only");
    assertThat(failure(bus.activeThreadSession(owner.id(), "T-missing", null))).isEqualTo("404 not_found");
    assertThat(failure(bus.activeThreadSession(owner.id(), threadId, new JsonObject().put("mode", "chaos"))))
      .isEqualTo("400 invalid_request");
    assertThat(failure(bus.appendMessages(stranger.id(), sessionId, new JsonArray().add(message("user", "x")))))
      .isEqualTo("404 not_found");
    assertThat(failure(bus.sessionHistory(stranger.id(), sessionId, 10))).isEqualTo("404 not_found");
    assertThat(failure(bus.archiveSession(stranger.id(), sessionId, null))).isEqualTo("404 not_found");

    String before = Workspaces.snapshot(app);
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
    };
    for (JsonArray messages : bad) {
      assertThat(failure(bus.appendMessages(owner.id(), sessionId, messages))).as(messages.encode().substring(0,
        Math.min(80, messages.encode().length()))).startsWith("400 ");
    }
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 101; i++) {
      tooMany.add(message("user", "m" + i));
    }
    assertThat(failure(bus.appendMessages(owner.id(), sessionId, tooMany))).startsWith("400 ");
    assertThat(failure(bus.sessionHistory(owner.id(), sessionId, 0))).isEqualTo("400 invalid_limit");
    assertThat(failure(bus.sessionHistory(owner.id(), sessionId, 1001))).isEqualTo("400 invalid_limit");
    assertThat(failure(bus.archiveSession(owner.id(), sessionId, new JsonObject().put("summary", 42))))
      .isEqualTo("400 invalid_request");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
  }
}
