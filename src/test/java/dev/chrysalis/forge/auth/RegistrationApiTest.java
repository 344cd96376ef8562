package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /auth/register: the happy path, and every bad input refused with nothing stored. */
class RegistrationApiTest {

  private static final TestApp app = TestApp.shared();
  private final Api api = app.api();

  static long userCount() throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl());
         ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM users")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void storesAPbkdf2HashNeverThePassword() throws Exception {
    Users.Registered u = Users.register(api);
    try (Connection c = TestDatabase.connect(app.databaseUrl());
         ResultSet rs = c.createStatement().executeQuery("SELECT password_hash FROM users WHERE id = '" + u.id() + "'")) {
      rs.next();
      String hash = rs.getString(1);
      assertThat(hash).startsWith("pbkdf2-sha256$1000$").doesNotContain(Users.PASSWORD);
      assertThat(hash.split("\\$")).hasSize(4);
    }
  }

  @Test
  void duplicateEmailIsAConflictWhateverTheCase() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.call("registerUser").body(new JsonObject().put("email", u.email().toUpperCase())
      .put("password", Users.PASSWORD)).send().expect(409);
    assertThat(r.error().getString("code")).isEqualTo("email_taken");
    assertThat(r.error().getString("type")).isEqualTo("conflict");
  }

  @Test
  void oddButValidInputIsStoredVerbatim() {
    String sqlish = "Robert'); DROP TABLE users;--";
    String unicode = "Zoë 😀 ∑ \u0639\u0631\u0628\u064A";
    for (String name : new String[]{sqlish, unicode}) {
      String email = Users.uniqueEmail();
      Api.Resp r = api.call("registerUser").body(new JsonObject().put("email", email).put("password", Users.PASSWORD)
        .put("display_name", name)).send().expect(201);
      assertThat(r.json().getString("display_name")).isEqualTo(name);
      Api.Resp me = api.call("getCurrentUser").bearer(r.json().getString("token")).send().expect(200);
      assertThat(me.json().getString("display_name")).isEqualTo(name);
    }
  }

  @Test
  void aPasswordOf1024CharactersIsAccepted() {
    String pw = "x".repeat(1010) + "unique tail 24";
    api.call("registerUser").body(new JsonObject().put("email", Users.uniqueEmail()).put("password", pw.substring(0, 1024)))
      .send().expect(201);
  }

  static Stream<Object[]> badBodies() {
    String email = Users.uniqueEmail();
    return Stream.of(
      new Object[]{"missing email", new JsonObject().put("password", Users.PASSWORD).encode(), 400, "email"},
      new Object[]{"missing password", new JsonObject().put("email", email).encode(), 400, "password"},
      new Object[]{"email not a string", new JsonObject().put("email", 42).put("password", Users.PASSWORD).encode(), 400, "email"},
      new Object[]{"email without @", new JsonObject().put("email", "nobody.example").put("password", Users.PASSWORD).encode(), 400, "email"},
      new Object[]{"email too long", new JsonObject().put("email", "a".repeat(250) + "@x.io").put("password", Users.PASSWORD).encode(), 400, "email"},
      new Object[]{"password too short", new JsonObject().put("email", email).put("password", "short").encode(), 400, "password"},
      new Object[]{"password too long", new JsonObject().put("email", email).put("password", "p".repeat(1025)).encode(), 400, "password"},
      new Object[]{"common password", new JsonObject().put("email", email).put("password", "Password123").encode(), 400, "password"},
      new Object[]{"password not a string", new JsonObject().put("email", email).put("password", 12345678).encode(), 400, "password"},
      new Object[]{"extra field", new JsonObject().put("email", email).put("password", Users.PASSWORD).put("is_admin", true).encode(), 400, "is_admin"},
      new Object[]{"display_name too long", new JsonObject().put("email", email).put("password", Users.PASSWORD).put("display_name", "d".repeat(101)).encode(), 400, "display_name"},
      new Object[]{"display_name with control characters", new JsonObject().put("email", email).put("password", Users.PASSWORD).put("display_name", "a\u0000b").encode(), 400, "display_name"},
      new Object[]{"body is an array", "[]", 400, null},
      new Object[]{"body is a string", "\"hello\"", 400, null},
      new Object[]{"malformed JSON", "{\"email\": ", 400, null},
      new Object[]{"empty body", "", 400, null}
    );
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badInputIsRefusedAndNothingIsStored(String name, String body, int status, String param) throws Exception {
    long before = userCount();
    Api.Resp r = api.call("registerUser").body(body).send().expect(status);
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    if (param != null) {
      assertThat(r.error().getString("param")).isEqualTo(param);
    }
    assertThat(userCount()).isEqualTo(before);
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    long before = userCount();
    Api.Resp r = api.call("registerUser").header("Content-Type", "text/plain")
      .body("email=a@b.c&password=whatever").send().expect(415);
    assertThat(r.error().getString("code")).isEqualTo("unsupported_media_type");
    assertThat(userCount()).isEqualTo(before);
  }

  @Test
  void hugeBodyIs413WithoutBeingRead() throws Exception {
    long before = userCount();
    byte[] huge = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) 'a');
    Api.Resp r = api.call("registerUser").header("Content-Type", "application/json").body(huge).send().expect(413);
    assertThat(r.error().getString("type")).isEqualTo("request_too_large");
    assertThat(userCount()).isEqualTo(before);
  }

  @Test
  void registrationCanBeDisabled() {
    try (TestApp closed = TestApp.start(TestApp.env("CHRYSALIS_ENABLE_REGISTRATION", "false"))) {
      Api.Resp r = closed.api().call("registerUser").body(new JsonObject().put("email", Users.uniqueEmail())
        .put("password", Users.PASSWORD)).send().expect(403);
      assertThat(r.error().getString("code")).isEqualTo("registration_disabled");
    }
  }
}
