package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clustered nodes in one JVM (Hazelcast on loopback, separate HTTP ports) sharing one
 * PostgreSQL database and one redis-server: what one node does, the other sees; a node that
 * leaves does not take the other down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterApiTest {

  private static RedisProcess redis;
  private static TestApp a;
  private static TestApp b;

  @BeforeAll
  static void startTwoNodes() {
    redis = RedisProcess.start();
    String db = TestDatabase.freshDatabaseUrl();
    ClusterNodes nodes = new ClusterNodes(2);
    a = TestApp.start(nodes.env(0, db, redis.url()));
    b = TestApp.start(nodes.env(1, db, redis.url()));
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

  @Test
  @Order(1)
  void bothNodesAreReadyAndSeeTwoMembers() {
    for (TestApp node : new TestApp[] {a, b}) {
      JsonObject ready = node.api().call("getReadiness").send().expect(200).json();
      assertThat(ready.getString("status")).isEqualTo("ok");
      JsonObject checks = ready.getJsonObject("checks");
      assertThat(checks.getJsonObject("database").getString("status")).isEqualTo("up");
      assertThat(checks.getJsonObject("redis").getString("status")).isEqualTo("up");
      assertThat(checks.getJsonObject("cluster").getString("status")).isEqualTo("up");
      assertThat(checks.getJsonObject("cluster").getInteger("members")).isEqualTo(2);
    }
  }

  @Test
  @Order(2)
  void anAccountMadeOnOneNodeWorksOnTheOther() {
    Users.Registered user = Users.register(a.api());
    b.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
    String key = Users.apiKey(b.api(), user, "*");
    a.api().call("getCurrentUser").bearer(key).send().expect(200);
  }

  @Test
  @Order(3)
  void aKeyDeletedOnNodeAIsRefusedOnNodeBWithinOneSecond() throws Exception {
    Users.Registered user = Users.register(a.api());
    String key = Users.apiKey(a.api(), user, "*");
    String keyId = a.api().call("listApiKeys").bearer(user.token()).send().expect(200).json()
      .getJsonArray("data").getJsonObject(0).getString("id");
    // both nodes' caches hold the key (each node's requests go to its own AuthService)
    for (int i = 0; i < 6; i++) {
      a.api().call("getCurrentUser").bearer(key).send().expect(200);
      b.api().call("getCurrentUser").bearer(key).send().expect(200);
    }
    a.api().call("deleteApiKey").bearer(user.token()).path("id", keyId).send().expect(200);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    int status = 0;
    while (System.nanoTime() < deadline) {
      status = b.api().call("getCurrentUser").bearer(key).send().status();
      if (status == 401) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(status).as("node B refuses the deleted key within 1 s").isEqualTo(401);
    // and keeps refusing it, on both nodes
    for (int i = 0; i < 6; i++) {
      b.api().call("getCurrentUser").bearer(key).send().expect(401).error();
      a.api().call("getCurrentUser").bearer(key).send().expect(401);
    }
  }

  @Test
  @Order(4)
  void cacheInvalidationHelperDropsOnEveryNode() throws Exception {
    java.util.Set<String> cacheA = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.Set<String> cacheB = java.util.concurrent.ConcurrentHashMap.newKeySet();
    cacheA.add("org_1");
    cacheB.add("org_1");
    CacheInvalidation onA = CacheInvalidation.bind(a.vertx(), "forge.test.plan-changed", "test_plans", cacheA::remove);
    CacheInvalidation onB = CacheInvalidation.bind(b.vertx(), "forge.test.plan-changed", "test_plans", cacheB::remove);
    onA.ready().await(10, TimeUnit.SECONDS);
    onB.ready().await(10, TimeUnit.SECONDS);
    onA.invalidate("org_1");
    assertThat(cacheA).isEmpty();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (!cacheB.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(cacheB).isEmpty();
    assertThat(b.api().call("getMetrics").send().expect(200).text())
      .containsPattern("forge_cache_invalidations_total\\{cache=\"test_plans\"} [1-9]");
    onA.close().await(10, TimeUnit.SECONDS);
    onB.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @Order(5)
  void whenNodeALeavesNodeBKeepsServing() throws Exception {
    Users.Registered user = Users.register(b.api());
    String key = Users.apiKey(b.api(), user, "*");
    Api api = b.api();
    // B serves throughout A's shutdown, not only after it
    java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.ConcurrentLinkedQueue<Integer> during = new java.util.concurrent.ConcurrentLinkedQueue<>();
    Thread load = new Thread(() -> {
      while (closing.get()) {
        try {
          // longer than the 15 s bus timeout, so a request lost between the nodes would show as a 503
          Api.Resp r = api.call("getCurrentUser").bearer(key).timeout(java.time.Duration.ofSeconds(20)).send();
          if (r.status() != 200) {
            r.error();
          }
          during.add(r.status());
        } catch (RuntimeException | AssertionError e) {
          during.add(-1);
        }
      }
    });
    load.start();
    a.close();
    a = null;
    closing.set(false);
    load.join(30_000);
    // while A leaves, B answers every request with 200: its calls go to its own services, never to
    // A's as they stop (see docs/operations.md)
    assertThat(during).isNotEmpty().containsOnly(200);
    // B's cluster view shrinks to itself once A has left
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject cluster = null;
    while (System.nanoTime() < deadline) {
      cluster = api.call("getReadiness").send().expect(200).json().getJsonObject("checks").getJsonObject("cluster");
      if (cluster.getInteger("members") == 1) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(cluster.getInteger("members")).isEqualTo(1);
    for (int i = 0; i < 20; i++) {
      api.call("getCurrentUser").bearer(key).send().expect(200);
      api.call("getCurrentUser").bearer(user.token()).send().expect(200);
    }
    Users.register(api);
  }
}
