package dev.chrysalis.forge.abuse;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workspace reads that wedged the service: a thread holding 300 contexts of 64 K characters
 * each (about 20 MB; stored before the per-thread cap, so written straight into the table), read
 * by several clients at once. Every answer is one bounded page, other users' workspace calls keep
 * answering meanwhile, and no statement is left running afterwards. A statement that waits on a
 * lock longer than the statement timeout is cancelled (503 in our shape) instead of holding its
 * connection, and the pool serves others throughout.
 */
class WorkspaceReadsReplayApiTest {

  private static final int PAGE_BYTES = 1024 * 1024;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "enterprise",
      "CHRYSALIS_DB_STATEMENT_TIMEOUT_MS", "1000"));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void concurrentReadsOfAHugeThreadAreBoundedAndOthersStillAnswer() throws Exception {
    Users.Registered owner = Users.register(api);
    String threadId = Workspaces.thread(api, owner, new JsonObject().put("title", "huge")).getString("id");
    // 65,536 characters of hex per context, which compresses about as badly as real text
    Workspaces.sql(app, "INSERT INTO thread_contexts (id, thread_id, title, body, size_bytes, created_by, created_at) "
      + "SELECT 'ctx_huge_' || lpad(g::text, 4, '0'), '" + threadId + "', 'n' || g, b.body, 65536 + length('n' || g) + 2, '"
      + owner.id() + "', now() + g * interval '1 millisecond' FROM generate_series(1, 300) g "
      + "CROSS JOIN LATERAL (SELECT string_agg(md5(g::text || '-' || i::text), '') AS body "
      + "FROM generate_series(1, 2048) i) b");

    Users.Registered other = Users.register(api);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Long>> readers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        boolean detail = i % 2 == 0;
        readers.add(CompletableFuture.supplyAsync(() -> detail ? readDetail(owner, threadId) : readAllPages(owner, threadId),
          pool));
      }
      // another user's workspace calls while the reads run: every one answers
      int answered = 0;
      for (int i = 0; i < 20; i++) {
        Api.Resp r = i % 2 == 0
          ? api.call("listThreads").bearer(other.token()).send()
          : api.call("createThread").bearer(other.token()).body(new JsonObject().put("title", "mine " + i)).send();
        assertThat(r.status()).isIn(200, 201);
        answered++;
      }
      assertThat(answered).isEqualTo(20);
      for (CompletableFuture<Long> reader : readers) {
        // each reader saw answers no larger than one page
        assertThat(reader.get(120, TimeUnit.SECONDS)).isLessThan(2L * PAGE_BYTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(activeStatements()).isZero();
  }

  @Test
  void aStatementWaitingTooLongIsCancelledAndThePoolKeepsServing() throws Exception {
    Users.Registered owner = Users.register(api);
    String threadId = Workspaces.thread(api, owner, new JsonObject().put("title", "locked")).getString("id");
    Users.Registered other = Users.register(api);
    String before = Workspaces.snapshot(app);
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement()) {
      // another client holds the thread's row lock, which adding a context waits for
      c.setAutoCommit(false);
      s.execute("SELECT id FROM threads WHERE id = '" + threadId + "' FOR UPDATE");
      List<CompletableFuture<Api.Resp>> waiting = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        waiting.add(CompletableFuture.supplyAsync(() -> api.call("addThreadContext").bearer(owner.token())
          .path("id", threadId).body(new JsonObject().put("title", "blocked")).send()));
      }
      // twelve waiting statements, more than the pool's ten connections: others still answer, at
      // worst after a statement timeout has given a connection back
      for (int i = 0; i < 5; i++) {
        api.call("listThreads").bearer(other.token()).send().expect(200);
      }
      for (CompletableFuture<Api.Resp> w : waiting) {
        Api.Resp r = w.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.error().getString("code")).isEqualTo("service_unavailable");
        assertThat(r.header("retry-after")).isEqualTo("1");
      }
      c.rollback();
    }
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
    // once the lock is gone the same call works
    api.call("addThreadContext").bearer(owner.token()).path("id", threadId)
      .body(new JsonObject().put("title", "free")).send().expect(201);
    assertThat(activeStatements()).isZero();
  }

  /** GET /v1/threads/{id}: the size of its answer. */
  private static long readDetail(Users.Registered u, String threadId) {
    Api.Resp r = api.call("getThread").bearer(u.token()).path("id", threadId).send().expect(200);
    assertThat(r.json().getBoolean("contexts_has_more")).isTrue();
    return r.text().getBytes(StandardCharsets.UTF_8).length;
  }

  /** Every page of the contexts; the size of the largest answer. */
  private static long readAllPages(Users.Registered u, String threadId) {
    long largest = 0;
    int contexts = 0;
    String after = null;
    do {
      Api.Call call = api.call("listThreadContexts").bearer(u.token()).path("id", threadId).query("limit", "200");
      if (after != null) {
        call.query("after", after);
      }
      Api.Resp r = call.send().expect(200);
      largest = Math.max(largest, r.text().getBytes(StandardCharsets.UTF_8).length);
      contexts += r.json().getJsonArray("data").size();
      after = r.json().getString("next_cursor");
    } while (after != null);
    assertThat(contexts).isEqualTo(300);
    return largest;
  }

  /** Statements running in the service's database for more than two seconds (this query aside). */
  private static long activeStatements() {
    return Workspaces.count(app, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
      + "AND state <> 'idle' AND now() - query_start > interval '2 seconds' AND pid <> pg_backend_pid()");
  }
}
