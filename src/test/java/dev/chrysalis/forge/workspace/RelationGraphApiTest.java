package dev.chrysalis.forge.workspace;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cycle check locks only the part of the relation graph a new relation depends on: two
 * relations that close a cycle between them far apart in the graph cannot both land, and a
 * 3,000-thread chain (in a table never analysed) is walked by index while others still answer.
 */
class RelationGraphApiTest {

  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    // its own database: the chain is inserted into a relations table that was never analysed
    app = TestApp.start(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "enterprise"));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static Api.Resp relate(Users.Registered u, String from, String to, String type) {
    return api.call("addThreadRelation").bearer(u.token()).path("id", from)
      .body(new JsonObject().put("to_thread_id", to).put("relation_type", type)).send();
  }

  private static String thread(Users.Registered u) {
    return Workspaces.thread(api, u, new JsonObject()).getString("id");
  }

  private static <T> List<T> together(List<Callable<T>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      List<T> out = new ArrayList<>();
      for (Future<T> f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoRelationsClosingACycleFarApartCannotBothLand() throws Exception {
    Users.Registered u = Users.register(api);
    for (int round = 0; round < 8; round++) {
      String a = thread(u);
      String b = thread(u);
      String c = thread(u);
      String d = thread(u);
      // b → c and d → a exist; a → b and c → d together would close a → b → c → d → a
      relate(u, b, c, "child_of").expect(201);
      relate(u, d, a, "continues_from").expect(201);
      List<Integer> statuses = together(List.<Callable<Integer>>of(
        () -> relate(u, a, b, "continues_from").status(),
        () -> relate(u, c, d, "child_of").status()));
      assertThat(statuses).containsExactlyInAnyOrder(201, 409);
    }
  }

  @Test
  void aLongChainIsWalkedByIndexAndOthersStillAnswer() throws Exception {
    Users.Registered u = Users.register(api);
    int n = 3_000;
    // T0 child_of T1 child_of … T2999, written straight into tables that were never analysed
    Workspaces.sql(app, "INSERT INTO threads (id, user_id, title) SELECT 'T-chain-' || g, '" + u.id()
      + "', 'chain ' || g FROM generate_series(0, " + (n - 1) + ") g");
    Workspaces.sql(app, "INSERT INTO thread_relations (from_thread_id, to_thread_id, relation_type, created_by) "
      + "SELECT 'T-chain-' || g, 'T-chain-' || (g + 1), 'child_of', '" + u.id() + "' FROM generate_series(0, "
      + (n - 2) + ") g");
    String plan = explainWalk("T-chain-0");
    System.out.println("cycle walk over a " + n + "-thread chain:\n" + plan);
    assertThat(plan).contains("Index").doesNotContain("Seq Scan on thread_relations").doesNotContain("Hash Join")
      .doesNotContain("Bitmap Heap Scan on thread_relations");

    Users.Registered other = Users.register(api);
    String x = thread(other);
    String y = thread(other);
    List<Callable<Integer>> calls = new ArrayList<>();
    // the top of the chain cannot become a child of its bottom
    calls.add(() -> relate(u, "T-chain-" + (n - 1), "T-chain-0", "child_of").status());
    calls.add(() -> relate(u, "T-chain-" + (n - 1), "T-chain-0", "continues_from").status());
    // meanwhile another user's relation and reads answer
    calls.add(() -> relate(other, x, y, "child_of").status());
    for (int i = 0; i < 5; i++) {
      calls.add(() -> api.call("listThreads").bearer(other.token()).send().status());
    }
    List<Integer> statuses = together(calls);
    assertThat(statuses.subList(0, 2)).containsExactly(409, 409);
    assertThat(statuses.subList(2, statuses.size())).containsExactly(201, 200, 200, 200, 200, 200);
    assertThat(relate(u, "T-chain-" + (n - 1), "T-chain-0", "child_of").error().getString("code"))
      .isEqualTo("relation_cycle");
    // the chain can still grow at its top
    String top = thread(u);
    relate(u, "T-chain-" + (n - 1), top, "child_of").expect(201);
  }

  /** The plan PostgreSQL picks for the cycle walk, with what it ran (EXPLAIN ANALYZE). */
  private static String explainWalk(String start) throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, COSTS OFF) " + ThreadStore.REACH.replace("$1", "'" + start + "'")
           + "SELECT id FROM reach")) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) {
        sb.append(rs.getString(1)).append('\n');
      }
      return sb.toString();
    }
  }
}
