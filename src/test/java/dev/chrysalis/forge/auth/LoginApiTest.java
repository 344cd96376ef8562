package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

class LoginApiTest {

  private static final TestApp app = TestApp.shared();
  private final Api api = app.api();

  private Api.Resp login(Api api, String email, String password) {
    return api.call("loginUser").body(new JsonObject().put("email", email).put("password", password)).send();
  }

  private static String column(TestApp app, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl()); ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void exec(TestApp app, String sql) throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl())) {
      c.createStatement().execute(sql);
    }
  }

  @Test
  void unknownEmailAndWrongPasswordGetTheSameAnswer() {
    Users.Registered u = Users.register(api);
    Api.Resp wrong = login(api, u.email(), "not the password at all").expect(401);
    Api.Resp unknown = login(api, Users.uniqueEmail(), "not the password at all").expect(401);
    assertThat(wrong.json()).isEqualTo(unknown.json());
    assertThat(wrong.error().getString("code")).isEqualTo("invalid_credentials");
  }

  @Test
  void loginIsCaseInsensitiveOnEmailAndRecordsLastLogin() throws Exception {
    Users.Registered u = Users.register(api);
    assertThat(column(app, "SELECT last_login_at FROM users WHERE id = '" + u.id() + "'")).isNull();
    Api.Resp r = login(api, "  " + u.email().toUpperCase() + "  ", Users.PASSWORD).expect(200);
    assertThat(r.json().getString("id")).isEqualTo(u.id());
    assertThat(column(app, "SELECT last_login_at FROM users WHERE id = '" + u.id() + "'")).isNotNull();
  }

  @Test
  void suspendedAccountIs403OnlyWithTheRightPassword() throws Exception {
    Users.Registered u = Users.register(api);
    exec(app, "UPDATE users SET status = 'suspended' WHERE id = '" + u.id() + "'");
    assertThat(login(api, u.email(), "wrong password here").expect(401).error().getString("code")).isEqualTo("invalid_credentials");
    assertThat(login(api, u.email(), Users.PASSWORD).expect(403).error().getString("code")).isEqualTo("account_suspended");
  }

  @Test
  void successResetsTheConsecutiveFailureCount() {
    Users.Registered u = Users.register(api);
    for (int i = 0; i < 9; i++) {
      login(api, u.email(), "wrong password " + i).expect(401);
    }
    login(api, u.email(), Users.PASSWORD).expect(200);
    for (int i = 0; i < 9; i++) {
      login(api, u.email(), "wrong password " + i).expect(401);
    }
    login(api, u.email(), Users.PASSWORD).expect(200);
  }

  /** The one test that uses the production iteration count: a login upgrades an old hash. */
  @Test
  void loginRehashesWhenTheIterationPolicyChanges() throws Exception {
    Users.Registered u = Users.register(api);
    assertThat(column(app, "SELECT password_hash FROM users WHERE id = '" + u.id() + "'")).startsWith("pbkdf2-sha256$1000$");
    try (TestApp strict = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", app.databaseUrl(),
      "CHRYSALIS_PBKDF2_ITERATIONS", "600000"))) {
      login(strict.api(), u.email(), Users.PASSWORD).expect(200);
      String upgraded = column(app, "SELECT password_hash FROM users WHERE id = '" + u.id() + "'");
      assertThat(upgraded).startsWith("pbkdf2-sha256$600000$");
      login(strict.api(), u.email(), Users.PASSWORD).expect(200);
      assertThat(column(app, "SELECT password_hash FROM users WHERE id = '" + u.id() + "'")).isEqualTo(upgraded);
    }
    // the older policy still verifies the newer hash (the iterations are stored in it)
    login(api, u.email(), Users.PASSWORD).expect(200);
  }

  @Test
  void badLoginBodiesAre400() {
    login(api, "not-an-email", Users.PASSWORD).expect(400);
    api.call("loginUser").body(new JsonObject().put("email", Users.uniqueEmail())).send().expect(400);
    api.call("loginUser").body("{").send().expect(400);
    Api.Resp r = api.call("loginUser").body(new JsonObject().put("email", Users.uniqueEmail()).put("password", "x")
      .put("remember", true)).send().expect(400);
    assertThat(r.error().getString("param")).isEqualTo("remember");
  }
}
