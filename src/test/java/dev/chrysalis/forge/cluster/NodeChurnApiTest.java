package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.gateway.FakeProviders;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steady traffic on node A (API-key requests, key listings, chat calls) while node B joins and
 * leaves twice: once killed (SIGKILL), once stopped (SIGTERM). Every request A answers is a 2xx
 * within a few seconds (the client gives up after {@value #TIMEOUT_SECONDS} s, which counts as a
 * failure), because A's calls go to its own services instead of being spread over B's, where a
 * message to a node that is going away is lost until the 15 s bus timeout.
 */
class NodeChurnApiTest {

  private static final int TIMEOUT_SECONDS = 5;

  @Test
  void trafficOnOneNodeSeesNoFailureWhileAnotherJoinsAndLeaves() throws Exception {
    try (RedisProcess redis = RedisProcess.start(); FakeProviders fake = new FakeProviders()) {
      String db = TestDatabase.freshDatabaseUrl();
      ClusterNodes nodes = new ClusterNodes(3);   // B's second life gets ports of its own
      String[] env = {"OPENAI_API_BASE", fake.base() + "/v1", "OPENAI_API_KEY", FakeProviders.OPENAI_KEY,
        "CHRYSALIS_DEFAULT_PLAN", "team"};
      try (NodeProcess a = NodeProcess.start(nodes, 0, db, redis.url(), env).awaitMembers(1)) {
        Users.Registered user = Users.register(a.api);
        String key = Users.apiKey(a.api, user, "*");

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          Thread client = new Thread(() -> {
            int i = 0;
            while (running.get()) {
              String op = switch (i++ % 3) {
                case 0 -> "getCurrentUser";
                case 1 -> "listApiKeys";
                default -> "createChatCompletion";
              };
              Api.Call call = a.api.call(op).bearer(key).timeout(Duration.ofSeconds(TIMEOUT_SECONDS));
              if (op.equals("createChatCompletion")) {
                call.body(new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()
                  .add(new JsonObject().put("role", "user").put("content", "Say hello."))));
              }
              try {
                Api.Resp r = call.send();
                if (r.status() / 100 != 2) {
                  failures.add(op + " → " + r.status() + " " + r.text());
                }
              } catch (RuntimeException | AssertionError e) {
                failures.add(op + " → no answer within " + TIMEOUT_SECONDS + " s: " + e.getMessage());
              }
              answered.incrementAndGet();
            }
          });
          client.start();
          clients.add(client);
        }

        // B joins, serves alongside A, and is killed
        try (NodeProcess b = NodeProcess.start(nodes, 1, db, redis.url(), env)) {
          b.awaitMembers(2);
          a.awaitMembers(2);
          Thread.sleep(2_000);
          b.sigkill();
          assertThat(b.exited(30)).isTrue();
          a.awaitMembers(1);
        }
        // B joins again and is stopped gracefully
        try (NodeProcess b = NodeProcess.start(nodes, 2, db, redis.url(), env)) {
          b.awaitMembers(2);
          a.awaitMembers(2);
          Thread.sleep(2_000);
          b.sigterm();
          assertThat(b.exited(60)).as("B exits:\n" + b.logTail()).isTrue();
          a.awaitMembers(1);
        }
        Thread.sleep(1_000);
        running.set(false);
        for (Thread client : clients) {
          client.join(30_000);
        }

        assertThat(answered.get()).as("steady traffic throughout").isGreaterThan(100);
        assertThat(failures).as("requests on A that were not a prompt 2xx:\n" + a.logTail()).isEmpty();
      }
    }
  }
}
