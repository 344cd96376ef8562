package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two service processes (the real Main, clustered over Hazelcast) share PostgreSQL and Redis;
 * one is killed with SIGKILL while both take writes. The other keeps serving without a failed
 * request (its calls go to its own services, never to the dead node's), and every write either
 * process acknowledged with 201 is in the database.
 */
class NodeKillApiTest {

  @Test
  void aNodeKilledMidTrafficLeavesTheOtherServingAndNoAcknowledgedWriteLost() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      String db = TestDatabase.freshDatabaseUrl();
      ClusterNodes nodes = new ClusterNodes(2);
      int[] ports = {ClusterNodes.freePort(), ClusterNodes.freePort()};
      Process a = start(nodes, 0, ports[0], db, redis.url());
      Process b = start(nodes, 1, ports[1], db, redis.url());
      try {
        Api apiA = new Api("http://127.0.0.1:" + ports[0]);
        Api apiB = new Api("http://127.0.0.1:" + ports[1]);
        awaitTwoMembers(apiA);
        awaitTwoMembers(apiB);
        Users.Registered user = Users.register(apiA);

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> fromB = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (Api api : new Api[] {apiA, apiB}) {
          Thread t = new Thread(() -> {
            while (running.get()) {
              try {
                Api.Resp r = api.call("createApiKey").bearer(user.token()).body(new JsonObject().put("name", "kill"))
                  .timeout(Duration.ofSeconds(20)).send();
                if (r.status() == 201) {
                  acknowledged.add(r.json().getString("id"));
                } else {
                  r.error();
                }
                if (api == apiB) {
                  fromB.add(r.status());
                }
              } catch (RuntimeException refused) {
                // node A is gone: nothing was acknowledged
                if (api == apiB) {
                  fromB.add(-1);
                }
              }
            }
          });
          t.start();
          writers.add(t);
        }
        Thread.sleep(1_500);
        a.destroyForcibly();   // SIGKILL
        assertThat(a.waitFor(20, TimeUnit.SECONDS)).isTrue();

        // B keeps serving on its own
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        int consecutive = 0;
        while (consecutive < 10 && System.nanoTime() < deadline) {
          Api.Resp r = apiB.call("createApiKey").bearer(user.token()).body(new JsonObject().put("name", "after"))
            .timeout(Duration.ofSeconds(20)).send();
          consecutive = r.status() == 201 ? consecutive + 1 : 0;
          if (r.status() == 201) {
            acknowledged.add(r.json().getString("id"));
          }
        }
        assertThat(consecutive).as("node B serves on its own").isEqualTo(10);
        running.set(false);
        for (Thread t : writers) {
          t.join(30_000);
        }
        assertThat(fromB).as("B answered every write with 201 while A died").containsOnly(201);
        // Hazelcast drops a killed member when its connection breaks, or at the latest when its
        // heartbeats stop counting; B keeps serving either way (asserted above)
        long membersDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        int members;
        do {
          members = apiB.call("getReadiness").send().expect(200).json().getJsonObject("checks")
            .getJsonObject("cluster").getInteger("members");
          if (members != 1) {
            Thread.sleep(250);
          }
        } while (members != 1 && System.nanoTime() < membersDeadline);
        assertThat(members).isEqualTo(1);

        List<String> ids = new ArrayList<>(acknowledged);
        assertThat(ids).isNotEmpty();
        try (Connection c = TestDatabase.connect(db);
             PreparedStatement q = c.prepareStatement("SELECT count(*) FROM api_keys WHERE id = ANY(?)")) {
          q.setArray(1, c.createArrayOf("text", ids.toArray()));
          try (ResultSet rs = q.executeQuery()) {
            rs.next();
            assertThat(rs.getInt(1)).as("every acknowledged write is stored").isEqualTo(ids.size());
          }
        }
        b.destroy();   // SIGTERM: graceful
        assertThat(b.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        a.destroyForcibly();
        b.destroyForcibly();
      }
    }
  }

  private static Process start(ClusterNodes nodes, int i, int httpPort, String db, String redisUrl) throws Exception {
    Map<String, String> env = TestApp.baseEnv();
    env.putAll(nodes.env(i, db, redisUrl));
    env.put("CHRYSALIS_PORT", String.valueOf(httpPort));
    env.put("CHRYSALIS_HTTP_INSTANCES", "1");
    env.put("CHRYSALIS_DATA_DIR", Files.createTempDirectory("forge-node").toString());
    env.put("CHRYSALIS_CLUSTER_LEAVE_DRAIN_MS", "200");
    // the writers create API keys without end: no per-plan key cap in their way
    env.put("CHRYSALIS_LIMIT_FREE_API_KEYS", "0");
    Path log = Files.createTempFile("forge-node-" + i, ".log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-Dhazelcast.wait.seconds.before.join=0", "-cp", System.getProperty("java.class.path"),
      "dev.chrysalis.forge.Main")
      .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  private static void awaitTwoMembers(Api api) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try {
        Api.Resp r = api.raw("GET", "/health/ready").send();
        if (r.status() == 200 && r.json().getJsonObject("checks").getJsonObject("cluster").getInteger("members") == 2) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("node at " + api.baseUrl() + " did not become ready with two members");
  }
}
