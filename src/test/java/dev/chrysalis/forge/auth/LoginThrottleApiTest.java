package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed logins are counted per account and client network, and earn growing delays instead of
 * one hard lock: a stranger guessing the owner's password slows down the stranger's network only,
 * and the owner signs in from their own. Client addresses come from X-Forwarded-For through a
 * trusted proxy (loopback). Delays are read from the stored block, never timed.
 */
class LoginThrottleApiTest {

  private static final int FREE = 3;
  private static final long MAX_DELAY = 600;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env("CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1,::1",
      "CHRYSALIS_LOGIN_LOCKOUT_THRESHOLD", String.valueOf(FREE),
      "CHRYSALIS_LOGIN_LOCKOUT_SECONDS", String.valueOf(MAX_DELAY)));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Api.Resp login(String ip, String email, String password) {
    return api.call("loginUser").header("x-forwarded-for", ip)
      .body(new JsonObject().put("email", email).put("password", password)).send();
  }

  private static String row(String email, String network, String column) {
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT (" + column + ")::text FROM login_throttle WHERE email = '" + email
           + "' AND network = '" + network + "'")) {
      return rs.next() ? rs.getString(1) : null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Seconds of the block the last failure earned, -1 when it earned none. */
  private static long delay(String email, String network) {
    String d = row(email, network, "CASE WHEN blocked_until IS NULL THEN -1 ELSE "
      + "round(EXTRACT(EPOCH FROM blocked_until - last_failed_at))::bigint END");
    return d == null ? -2 : Long.parseLong(d);
  }

  private static void endBlock(String email, String network) {
    Workspaces.sql(app, "UPDATE login_throttle SET blocked_until = now() - interval '1 second' WHERE email = '" + email
      + "' AND network = '" + network + "'");
  }

  /** Fails from {@code ip} until the block is {@code upTo} seconds, checking each delay doubles. */
  private static void guess(String ip, String network, String email, long upTo) {
    for (int i = 1; i <= FREE; i++) {
      assertThat(login(ip, email, "wrong guess " + i).expect(401).error().getString("code")).isEqualTo("invalid_credentials");
      assertThat(delay(email, network)).isEqualTo(-1);
    }
    long expected = 1;
    while (true) {
      login(ip, email, "another wrong guess").expect(401);
      assertThat(delay(email, network)).isEqualTo(Math.min(expected, MAX_DELAY));
      if (Math.min(expected, MAX_DELAY) >= upTo) {
        return;
      }
      endBlock(email, network);
      expected *= 2;
    }
  }

  @Test
  void aStrangersGuessesSlowDownTheStrangersNetworkNotTheOwner() {
    Users.Registered owner = Users.register(api);
    String attacker = "203.0.113.7";
    guess(attacker, "203.0.113.0/24", owner.email(), 64);
    String failures = row(owner.email(), "203.0.113.0/24", "failures");

    // while blocked, that network gets 429 even with the right password, without a check or a count
    for (String ip : new String[] {attacker, "203.0.113.200"}) {
      Api.Resp r = login(ip, owner.email(), Users.PASSWORD).expect(429);
      assertThat(r.error().getString("code")).isEqualTo("login_locked");
      assertThat(r.error().getString("type")).isEqualTo("rate_limit_exceeded");
      long retryAfter = Long.parseLong(r.header("retry-after"));
      assertThat(retryAfter).isBetween(1L, 64L);
      assertThat(r.error().getLong("retry_after")).isEqualTo(retryAfter);
    }
    assertThat(row(owner.email(), "203.0.113.0/24", "failures")).isEqualTo(failures);
    assertThat(Workspaces.count(app, "SELECT count(*) FROM users WHERE id = '" + owner.id() + "' AND last_login_at IS NOT NULL"))
      .isZero();

    // the owner, from their own networks, is not locked out: a typo is a plain 401, the password works
    login("198.51.100.20", owner.email(), "owner's typo").expect(401);
    login("198.51.100.20", owner.email(), Users.PASSWORD).expect(200);
    login("2001:db8:5:6::10", owner.email(), Users.PASSWORD).expect(200);
    // a success clears the owner's network only; the stranger's stays blocked
    assertThat(row(owner.email(), "198.51.100.0/24", "failures")).isNull();
    login(attacker, owner.email(), Users.PASSWORD).expect(429);
  }

  @Test
  void delaysGrowToTheConfiguredMaximumAndUnknownEmailsBehaveAlike() {
    String unknown = Users.uniqueEmail();
    guess("192.0.2.1", "192.0.2.0/24", unknown, MAX_DELAY);
    endBlock(unknown, "192.0.2.0/24");
    login("192.0.2.1", unknown, "still guessing").expect(401);
    assertThat(delay(unknown, "192.0.2.0/24")).isEqualTo(MAX_DELAY);
    login("192.0.2.1", unknown, "still guessing").expect(429);
  }

  @Test
  void addressesOfOneIpv6Slash64CountTogether() {
    Users.Registered owner = Users.register(api);
    String network = "2001:db8:aa:bb::/64";
    for (int i = 0; i < FREE; i++) {
      login("2001:db8:aa:bb::" + (i + 1), owner.email(), "wrong").expect(401);
    }
    login("2001:db8:aa:bb:ffff:ffff:ffff:ffff", owner.email(), "wrong").expect(401);
    assertThat(delay(owner.email(), network)).isEqualTo(1);
    assertThat(row(owner.email(), network, "failures")).isEqualTo(String.valueOf(FREE + 1));
    login("2001:db8:aa:cc::1", owner.email(), Users.PASSWORD).expect(200);
  }
}
