package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Events other packages publish on forge.audit land in the audit log with actor, target, ip, user agent and time. */
class AuditApiTest {

  private final TestApp app = TestApp.shared();
  private final Api api = app.api();

  @Test
  void loginsAndKeyChangesAreStored() {
    Users.Registered u = Users.register(api);
    api.call("loginUser").header("User-Agent", "audit-login/2")
      .body(new JsonObject().put("email", u.email()).put("password", Users.PASSWORD)).send().expect(200);
    api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", "wrong password here"))
      .send().expect(401);
    String keyId = api.call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", "k")).send().expect(201)
      .json().getString("id");
    api.call("deleteApiKey").bearer(u.token()).path("id", keyId).send().expect(200);

    String mine = "SELECT count(*) FROM audit_events WHERE actor_id = '" + u.id() + "'";
    Workspaces.eventually(() -> Workspaces.count(app, mine + " AND action IN "
      + "('login.succeeded', 'login.failed', 'api_key.created', 'api_key.deleted')") == 4);
    assertThat(Workspaces.count(app, mine + " AND action = 'login.succeeded' AND user_agent = 'audit-login/2' "
      + "AND ip IS NOT NULL AND created_at > now() - interval '1 hour'")).isEqualTo(1);
    assertThat(Workspaces.count(app, mine + " AND action = 'api_key.deleted' AND target = '" + keyId + "'")).isEqualTo(1);
  }

  @Test
  void oddEventsAreCutOrDroppedNotFatal() {
    Users.Registered u = Users.register(api);
    app.vertx().eventBus().publish("forge.audit", new JsonObject().put("actor_id", u.id()));
    app.vertx().eventBus().publish("forge.audit", new JsonObject().put("action", "test.long").put("actor_id", u.id())
      .put("user_agent", "x".repeat(5000)).put("at", "not a time").put("metadata", "not an object"));
    Workspaces.eventually(() -> Workspaces.count(app, "SELECT count(*) FROM audit_events WHERE action = 'test.long' "
      + "AND actor_id = '" + u.id() + "' AND length(user_agent) = 256 AND metadata = '{}'::jsonb") == 1);
    assertThat(Workspaces.count(app, "SELECT count(*) FROM audit_events WHERE actor_id = '" + u.id()
      + "' AND action NOT IN ('test.long', 'user.registered')")).isZero();
  }
}
