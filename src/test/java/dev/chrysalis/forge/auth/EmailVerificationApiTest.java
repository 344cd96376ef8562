package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.SmtpServer;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Email ownership: verification and password reset by mail, read from a real SMTP server. */
class EmailVerificationApiTest {

  private static final String OPS = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";

  private static SmtpServer smtp;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    smtp = new SmtpServer().start();
    String[] env = smtp.env();
    String[] all = new String[env.length + 2];
    System.arraycopy(env, 0, all, 0, env.length);
    all[env.length] = "CHRYSALIS_ADMIN_EMAILS";
    all[env.length + 1] = OPS;
    app = TestApp.start(TestApp.env(all));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
    smtp.close();
  }

  private static boolean verified(String userId) {
    return Workspaces.count(app, "SELECT count(*) FROM users WHERE id = '" + userId + "' AND email_verified") == 1;
  }

  @Test
  void registrationMailsALinkWhoseTokenVerifiesTheAddressOnce() {
    Users.Registered u = Users.register(api);
    assertThat(api.call("getCurrentUser").bearer(u.token()).send().expect(200).json().getBoolean("email_verified")).isFalse();

    String mail = smtp.mailsTo(u.email(), 1).get(0);
    assertThat(mail).startsWith("Subject: Confirm your email address").contains("http://localhost:8080/#/verify?token=");
    String token = smtp.latestToken(u.email(), "Confirm");
    assertThat(Workspaces.count(app, "SELECT count(*) FROM email_tokens WHERE token_hash = '" + token + "'"))
      .as("only the hash is stored").isZero();

    JsonObject ok = api.call("verifyEmail").body(new JsonObject().put("token", token)).send().expect(200).json();
    assertThat(ok.getString("id")).isEqualTo(u.id());
    assertThat(ok.getBoolean("email_verified")).isTrue();
    assertThat(api.call("getCurrentUser").bearer(u.token()).send().expect(200).json().getBoolean("email_verified")).isTrue();

    Api.Resp again = api.call("verifyEmail").body(new JsonObject().put("token", token)).send().expect(400);
    assertThat(again.error().getString("code")).isEqualTo("invalid_token");
    Api.Resp resend = api.call("resendVerification").bearer(u.token()).send().expect(409);
    assertThat(resend.error().getString("code")).isEqualTo("already_verified");
  }

  @Test
  void badTokensAre400AndVerifyNobody() {
    Users.Registered u = Users.register(api);
    smtp.mailsTo(u.email(), 1);
    for (String bad : new String[] {"not-a-token-we-ever-sent-0123456789", "short", "x".repeat(200)}) {
      Api.Resp r = api.call("verifyEmail").body(new JsonObject().put("token", bad)).send();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    }
    assertThat(api.call("verifyEmail").body(new JsonObject()).send().status()).isEqualTo(400);
    assertThat(api.call("verifyEmail").body(new JsonObject().put("token", 42)).send().status()).isEqualTo(400);
    assertThat(verified(u.id())).isFalse();
  }

  @Test
  void aResetTokenCannotVerifyAndAVerifyTokenCannotReset() {
    Users.Registered u = Users.register(api);
    String verify = smtp.latestToken(u.email(), "Confirm");
    api.call("resetPassword").body(new JsonObject().put("token", verify).put("password", "another long password 1"))
      .send().expect(400);
    api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", Users.PASSWORD)).send().expect(200);
    // the verification token was not spent by the refused reset
    api.call("verifyEmail").body(new JsonObject().put("token", verify)).send().expect(200);
  }

  @Test
  void resendIsRateLimitedAndSendsAWorkingToken() {
    Users.Registered u = Users.register(api);
    smtp.mailsTo(u.email(), 1);
    Api.Resp tooSoon = api.call("resendVerification").bearer(u.token()).send().expect(429);
    assertThat(tooSoon.error().getString("code")).isEqualTo("resend_too_soon");
    assertThat(tooSoon.header("Retry-After")).isNotNull();
    assertThat(smtp.mailsTo(u.email(), 2)).hasSize(1);

    Workspaces.sql(app, "UPDATE email_tokens SET created_at = now() - interval '2 minutes' WHERE user_id = '" + u.id() + "'");
    api.call("resendVerification").bearer(u.token()).send().expect(202);
    assertThat(smtp.mailsTo(u.email(), 2)).hasSize(2);
    api.call("verifyEmail").body(new JsonObject().put("token", smtp.latestToken(u.email(), "Confirm"))).send().expect(200);
    assertThat(verified(u.id())).isTrue();
  }

  @Test
  void passwordResetByMailChangesThePasswordOnceAndTheAnswerRevealsNothing() {
    Users.Registered u = Users.register(api);
    String unknown = Users.uniqueEmail();
    Api.Resp forUnknown = api.call("forgotPassword").body(new JsonObject().put("email", unknown)).send().expect(202);
    Api.Resp forKnown = api.call("forgotPassword").body(new JsonObject().put("email", u.email())).send().expect(202);
    assertThat(forKnown.json()).isEqualTo(forUnknown.json());
    assertThat(smtp.mailsTo(unknown, 1)).isEmpty();

    String token = smtp.latestToken(u.email(), "Reset your password");
    // asking again at once answers the same and mails nothing more (one reset mail a minute)
    Api.Resp again = api.call("forgotPassword").body(new JsonObject().put("email", u.email())).send().expect(202);
    assertThat(again.json()).isEqualTo(forKnown.json());
    Api.Resp weak = api.call("resetPassword").body(new JsonObject().put("token", token).put("password", "short")).send()
      .expect(400);
    assertThat(weak.error().getString("code")).isEqualTo("weak_password");

    String fresh = "a brand new long password";
    String otherSession = api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", Users.PASSWORD))
      .send().expect(200).json().getString("token");
    api.call("getCurrentUser").bearer(u.token()).send().expect(200);
    api.call("getCurrentUser").bearer(otherSession).send().expect(200);
    api.call("resetPassword").body(new JsonObject().put("token", token).put("password", fresh)).send().expect(200);
    // every session from before the reset has ended
    for (String session : new String[] {u.token(), otherSession}) {
      Api.Resp ended = api.call("getCurrentUser").bearer(session).send().expect(401);
      assertThat(ended.error().getString("code")).isEqualTo("session_ended");
      assertThat(ended.error().getString("type")).isEqualTo("authentication_error");
    }
    assertThat(smtp.mailsTo(u.email(), 3)).filteredOn(m -> m.startsWith("Subject: Reset your password")).hasSize(1);
    api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", Users.PASSWORD)).send().expect(401);
    api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", fresh)).send().expect(200);

    Api.Resp reused = api.call("resetPassword").body(new JsonObject().put("token", token).put("password", "yet another password"))
      .send().expect(400);
    assertThat(reused.error().getString("code")).isEqualTo("invalid_token");
    api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", fresh)).send().expect(200);
  }

  @Test
  void anExpiredResetTokenIsRefusedAndChangesNothing() {
    Users.Registered u = Users.register(api);
    api.call("forgotPassword").body(new JsonObject().put("email", u.email())).send().expect(202);
    String token = smtp.latestToken(u.email(), "Reset your password");
    Workspaces.sql(app, "UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = '" + u.id()
      + "' AND purpose = 'reset'");
    Api.Resp r = api.call("resetPassword").body(new JsonObject().put("token", token).put("password", "a brand new long password"))
      .send().expect(400);
    assertThat(r.error().getString("code")).isEqualTo("invalid_token");
    api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", Users.PASSWORD)).send().expect(200);
  }

  @Test
  void anUnprovenAdminAddressGrantsNoOperatorRights() {
    // the attack: register the configured operator address with other case and spaces
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", "  " + OPS.toUpperCase() + " ")
      .put("password", Users.PASSWORD)).send().expect(201).json();
    Users.Registered attacker = new Users.Registered(reg.getString("id"), OPS, reg.getString("token"));
    Users.Registered victim = Users.register(api);

    Api.Resp plan = api.call("setUserPlan").bearer(attacker.token()).path("id", victim.id())
      .body(new JsonObject().put("plan_id", "enterprise")).send().expect(403);
    assertThat(plan.error().getString("code")).isEqualTo("admin_only");
    assertThat(api.call("getBillingStatus").bearer(attacker.token()).send().status()).isEqualTo(403);
    assertThat(Workspaces.count(app, "SELECT count(*) FROM billing_plan_assignments WHERE subject_id = '" + victim.id() + "'"))
      .isZero();

    // once the owner of the mailbox proves it, the same account is an operator
    api.call("verifyEmail").body(new JsonObject().put("token", smtp.latestToken(OPS, "Confirm"))).send().expect(200);
    api.call("setUserPlan").bearer(attacker.token()).path("id", victim.id())
      .body(new JsonObject().put("plan_id", "pro")).send().expect(200);
    api.call("getBillingStatus").bearer(attacker.token()).send().expect(200);
  }

  @Test
  void aVerifiedAddressNotListedGrantsNothing() {
    Users.Registered u = Users.register(api);
    api.call("verifyEmail").body(new JsonObject().put("token", smtp.latestToken(u.email(), "Confirm"))).send().expect(200);
    assertThat(api.call("getBillingStatus").bearer(u.token()).send().status()).isEqualTo(403);
  }
}
