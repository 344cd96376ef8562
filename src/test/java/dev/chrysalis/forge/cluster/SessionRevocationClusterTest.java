package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clustered nodes sharing one database: a logout or a suspension on node A is refused on
 * node B within a second, although B had the session and the key in its caches.
 */
class SessionRevocationClusterTest {

  private static final String ADMIN_EMAIL = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static RedisProcess redis;
  private static TestApp a;
  private static TestApp b;
  private static Users.Registered admin;

  @BeforeAll
  static void startTwoNodes() {
    redis = RedisProcess.start();
    String db = TestDatabase.freshDatabaseUrl();
    ClusterNodes nodes = new ClusterNodes(2);
    a = TestApp.start(nodes.env(0, db, redis.url(), "CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL));
    b = TestApp.start(nodes.env(1, db, redis.url(), "CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL));
    JsonObject reg = a.api().call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
      .send().expect(201).json();
    admin = new Users.Registered(reg.getString("id"), ADMIN_EMAIL, reg.getString("token"));
    // the verification mail flow is tested elsewhere; here only propagation between nodes is
    Workspaces.sql(a, "UPDATE users SET email_verified = true WHERE id = '" + admin.id() + "'");
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Uses the credential on B until it is refused with {@code status}, for at most one second. */
  private static Api.Resp refusedOnBWithinOneSecond(String credential, int status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    Api.Resp r;
    do {
      r = b.api().call("getCurrentUser").bearer(credential).send();
      if (r.status() == status) {
        return r;
      }
      Thread.sleep(10);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("node B still answers " + r + " one second after the change on node A");
  }

  private static void warmOnB(String... credentials) {
    // several calls, so each of B's HTTP verticles has the user in its cache
    for (int i = 0; i < 6; i++) {
      for (String c : credentials) {
        b.api().call("getCurrentUser").bearer(c).send().expect(200);
      }
    }
  }

  @Test
  void aLogoutOnNodeAEndsTheSessionOnNodeB() throws Exception {
    Users.Registered user = Users.register(a.api());
    String key = Users.apiKey(a.api(), user, "*");
    warmOnB(user.token(), key);

    a.api().call("logoutUser").bearer(user.token()).send().expect(200);

    assertThat(refusedOnBWithinOneSecond(user.token(), 401).error().getString("code")).isEqualTo("session_ended");
    for (int i = 0; i < 6; i++) {
      b.api().call("getCurrentUser").bearer(user.token()).send().expect(401);
      a.api().call("getCurrentUser").bearer(user.token()).send().expect(401);
      b.api().call("getCurrentUser").bearer(key).send().expect(200);
    }
  }

  @Test
  void aSuspensionOnNodeARefusesTheSessionAndTheKeyOnNodeB() throws Exception {
    Users.Registered victim = Users.register(a.api());
    String key = Users.apiKey(a.api(), victim, "*");
    warmOnB(victim.token(), key);

    a.api().call("setUserStatus").bearer(admin.token()).path("id", victim.id())
      .body(new JsonObject().put("status", "suspended")).send().expect(200);

    assertThat(refusedOnBWithinOneSecond(key, 403).error().getString("code")).isEqualTo("account_suspended");
    assertThat(refusedOnBWithinOneSecond(victim.token(), 403).error().getString("code")).isEqualTo("account_suspended");
    for (int i = 0; i < 6; i++) {
      b.api().call("getCurrentUser").bearer(key).send().expect(403);
      b.api().call("getCurrentUser").bearer(victim.token()).send().expect(403);
      b.api().call("createApiKey").bearer(key).body(new JsonObject()).send().expect(403);
    }
    assertThat(Workspaces.count(a, "SELECT count(*) FROM api_keys WHERE user_id = '" + victim.id() + "'")).isEqualTo(1);
    b.api().call("loginUser").body(new JsonObject().put("email", victim.email()).put("password", Users.PASSWORD)).send()
      .expect(403);
  }
}
