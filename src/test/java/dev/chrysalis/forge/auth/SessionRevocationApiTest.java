package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logout and suspension bite at once: a suspended user's session tokens and API keys (cached or
 * not) are refused on every operation and change nothing; logout ends every session token.
 */
class SessionRevocationApiTest {

  private static final String ADMIN_EMAIL = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static TestApp app;
  private static Api api;
  private static Users.Registered admin;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env("CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL, "CHRYSALIS_DEFAULT_PLAN", "enterprise"));
    api = app.api();
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
      .send().expect(201).json();
    admin = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
    Users.verify(app, admin);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Api.Resp login(String email, String password) {
    return api.call("loginUser").body(new JsonObject().put("email", email).put("password", password)).send();
  }

  private static Api.Resp setStatus(Users.Registered actor, String userId, String status) {
    return api.call("setUserStatus").bearer(actor.token()).path("id", userId).body(new JsonObject().put("status", status)).send();
  }

  private static void expectError(Api.Resp r, int status, String code) {
    r.expect(status);
    assertThat(r.error().getString("code")).isEqualTo(code);
  }

  private static long count(String sql) {
    return Workspaces.count(app, sql);
  }

  @Test
  void logoutEndsEverySessionOfTheAccountButNotItsApiKeys() {
    Users.Registered u = Users.register(api);
    String second = login(u.email(), Users.PASSWORD).expect(200).json().getString("token");
    String key = Users.apiKey(api, u, "*");
    api.call("getCurrentUser").bearer(second).send().expect(200);

    api.call("logoutUser").bearer(u.token()).send().expect(200).json().getBoolean("logged_out");

    for (String token : new String[] {u.token(), second}) {
      Api.Resp r = api.call("getCurrentUser").bearer(token).send();
      expectError(r, 401, "session_ended");
      assertThat(r.error().getString("type")).isEqualTo("authentication_error");
      assertThat(r.header("www-authenticate")).startsWith("Bearer");
    }
    // an ended session creates nothing
    expectError(api.call("createApiKey").bearer(second).body(new JsonObject()).send(), 401, "session_ended");
    assertThat(count("SELECT count(*) FROM api_keys WHERE user_id = '" + u.id() + "'")).isEqualTo(1);
    api.call("getCurrentUser").bearer(key).send().expect(200);

    // signing in again right away gives a working session; the old ones stay ended
    String fresh = login(u.email(), Users.PASSWORD).expect(200).json().getString("token");
    api.call("getCurrentUser").bearer(fresh).send().expect(200);
    expectError(api.call("getCurrentUser").bearer(u.token()).send(), 401, "session_ended");
    Workspaces.eventually(() -> count("SELECT count(*) FROM audit_events WHERE action = 'user.logged_out' AND actor_id = '"
      + u.id() + "'") == 1);
  }

  @Test
  void aPasswordChangeEndsEverySessionAndAnswersWithANewOne() {
    Users.Registered u = Users.register(api);
    String second = login(u.email(), Users.PASSWORD).expect(200).json().getString("token");
    String key = Users.apiKey(api, u, "*");
    String fresh = "a completely new passphrase";
    JsonObject change = new JsonObject().put("current_password", Users.PASSWORD).put("new_password", fresh);

    // refused without changing anything: wrong current password, weak new one, an API key
    expectError(api.call("changePassword").bearer(u.token())
      .body(change.copy().put("current_password", "not my password")).send(), 400, "wrong_password");
    expectError(api.call("changePassword").bearer(u.token()).body(change.copy().put("new_password", "short")).send(),
      400, "weak_password");
    expectError(api.call("changePassword").bearer(key).body(change).send(), 403, "session_required");
    api.call("changePassword").bearer(u.token()).body(new JsonObject().put("new_password", fresh)).send().expect(400);
    api.call("getCurrentUser").bearer(second).send().expect(200);
    login(u.email(), Users.PASSWORD).expect(200);

    JsonObject session = api.call("changePassword").bearer(u.token()).body(change).send().expect(200).json();
    assertThat(session.getString("id")).isEqualTo(u.id());
    api.call("getCurrentUser").bearer(session.getString("token")).send().expect(200);
    for (String old : new String[] {u.token(), second}) {
      expectError(api.call("getCurrentUser").bearer(old).send(), 401, "session_ended");
    }
    api.call("getCurrentUser").bearer(key).send().expect(200);
    login(u.email(), Users.PASSWORD).expect(401);
    login(u.email(), fresh).expect(200);
    Workspaces.eventually(() -> count("SELECT count(*) FROM audit_events WHERE action = 'password.changed' AND actor_id = '"
      + u.id() + "'") == 1);
  }

  @Test
  void aSuspendedUsersTokensAndKeysAreRefusedAndChangeNothing() {
    Users.Registered victim = Users.register(api);
    Users.Registered member = Users.register(api);
    String key = Users.apiKey(api, victim, "*");
    api.call("getCurrentUser").bearer(key).send().expect(200);   // cached on this node now
    String orgId = Workspaces.org(api, victim).getString("id");
    Workspaces.sql(app, "INSERT INTO org_members (org_id, user_id, role) VALUES ('" + orgId + "', '" + member.id() + "', 'member')");

    JsonObject changed = setStatus(admin, victim.id(), "suspended").expect(200).json();
    assertThat(changed.getString("status")).isEqualTo("suspended");
    assertThat(changed.getString("id")).isEqualTo(victim.id());

    // the attack replayed: chat, a new API key, promoting another member to owner
    for (String credential : new String[] {victim.token(), key}) {
      Api.Resp r = api.call("getCurrentUser").bearer(credential).send();
      expectError(r, 403, "account_suspended");
      assertThat(r.error().getString("type")).isEqualTo("permission_denied");
      expectError(api.call("createApiKey").bearer(credential).body(new JsonObject()).send(), 403, "account_suspended");
      expectError(api.call("updateOrgMember").bearer(credential).path("id", orgId).path("user_id", member.id())
        .body(new JsonObject().put("role", "owner")).send(), 403, "account_suspended");
      expectError(api.call("createChatCompletion").bearer(credential).body(new JsonObject().put("model", "gpt-4o-mini")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")))).send(),
        403, "account_suspended");
    }
    api.call("getCurrentUser").header("x-api-key", key).send().expect(403);
    api.call("getCurrentUser").query("api_key", key).send().expect(403);
    expectError(login(victim.email(), Users.PASSWORD), 403, "account_suspended");
    assertThat(count("SELECT count(*) FROM api_keys WHERE user_id = '" + victim.id() + "'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM org_members WHERE org_id = '" + orgId + "' AND user_id = '" + member.id()
      + "' AND role = 'member'")).isEqualTo(1);
    Workspaces.eventually(() -> count("SELECT count(*) FROM audit_events WHERE action = 'user.suspended' AND actor_id = '"
      + admin.id() + "' AND target = '" + victim.id() + "'") == 1);

    // reactivated: keys work again, sessions from before stay ended, signing in works
    assertThat(setStatus(admin, victim.id(), "active").expect(200).json().getString("status")).isEqualTo("active");
    api.call("getCurrentUser").bearer(key).send().expect(200);
    expectError(api.call("getCurrentUser").bearer(victim.token()).send(), 401, "session_ended");
    String fresh = login(victim.email(), Users.PASSWORD).expect(200).json().getString("token");
    api.call("getCurrentUser").bearer(fresh).send().expect(200);
    Workspaces.eventually(() -> count("SELECT count(*) FROM audit_events WHERE action = 'user.reactivated' AND target = '"
      + victim.id() + "'") == 1);
  }

  @Test
  void onlyOperatorsChangeStatusAndBadRequestsChangeNothing() {
    Users.Registered target = Users.register(api);
    Users.Registered stranger = Users.register(api);
    expectError(setStatus(stranger, target.id(), "suspended"), 403, "admin_only");
    String strangerKey = Users.apiKey(api, stranger, "*");
    api.call("setUserStatus").bearer(strangerKey).path("id", target.id())
      .body(new JsonObject().put("status", "suspended")).send().expect(403);
    String adminReadKey = Users.apiKey(api, admin, "read");
    expectError(api.call("setUserStatus").bearer(adminReadKey).path("id", target.id())
      .body(new JsonObject().put("status", "suspended")).send(), 403, "insufficient_scope");

    Api.Resp[] bad = {
      setStatus(admin, target.id(), "deleted"),
      api.call("setUserStatus").bearer(admin.token()).path("id", target.id()).body(new JsonObject()).send(),
      api.call("setUserStatus").bearer(admin.token()).path("id", target.id())
        .body(new JsonObject().put("status", "suspended").put("until", "forever")).send(),
      api.call("setUserStatus").bearer(admin.token()).path("id", target.id()).body("{").send(),
    };
    for (Api.Resp r : bad) {
      r.expect(400);
      assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    }
    expectError(setStatus(admin, "usr_nobody", "suspended"), 404, "not_found");
    expectError(setStatus(admin, admin.id(), "suspended"), 409, "cannot_suspend_self");
    assertThat(count("SELECT count(*) FROM users WHERE status <> 'active' AND id IN ('" + target.id() + "', '"
      + admin.id() + "')")).isZero();
    assertThat(count("SELECT session_version FROM users WHERE id = '" + target.id() + "'")).isZero();
    api.call("getCurrentUser").bearer(target.token()).send().expect(200);
    api.call("getCurrentUser").bearer(admin.token()).send().expect(200);
  }
}
