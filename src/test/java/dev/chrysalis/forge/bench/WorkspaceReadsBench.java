package dev.chrysalis.forge.bench;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;

/**
 * What the bounded workspace reads cost, through the running service over HTTP: a thread's detail
 * and its pages of contexts, for a small thread and for one holding 300 contexts of 64 K
 * characters (about 20 MB, written straight into the table); adding a context with its size
 * check; and, for comparison, the read the unbounded detail used to make (every context of the
 * huge thread, bodies included, over JDBC). Run with {@code ./scripts/bench-jmh WorkspaceReadsBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WorkspaceReadsBench {

  @State(Scope.Benchmark)
  public static class Service {
    TestApp app;
    Api api;
    Users.Registered user;
    String huge;
    String small;
    String target;

    @Setup(Level.Trial)
    public void setUp() {
      app = TestApp.start(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "enterprise", "CHRYSALIS_MAX_CONTEXTS_PER_THREAD", "1000000",
        "CHRYSALIS_MAX_CONTEXT_BYTES_PER_THREAD", "1000000000"));
      api = app.api();
      user = Users.register(api);
      huge = Workspaces.thread(api, user, new JsonObject().put("title", "huge")).getString("id");
      Workspaces.sql(app, "INSERT INTO thread_contexts (id, thread_id, title, body, size_bytes, created_by, created_at) "
        + "SELECT 'ctx_huge_' || lpad(g::text, 4, '0'), '" + huge + "', 'n' || g, b.body, 65536 + length('n' || g) + 2, '"
        + user.id() + "', now() + g * interval '1 millisecond' FROM generate_series(1, 300) g "
        + "CROSS JOIN LATERAL (SELECT string_agg(md5(g::text || '-' || i::text), '') AS body "
        + "FROM generate_series(1, 2048) i) b");
      small = Workspaces.thread(api, user, new JsonObject().put("title", "small")).getString("id");
      for (int i = 0; i < 5; i++) {
        api.call("addThreadContext").bearer(user.token()).path("id", small)
          .body(new JsonObject().put("title", "note " + i).put("body", "x".repeat(500))).send().expect(201);
      }
    }

    @Setup(Level.Iteration)
    public void freshTarget() {
      target = Workspaces.thread(api, user, new JsonObject().put("title", "target")).getString("id");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      app.close();
    }
  }

  @Benchmark
  public int getThreadSmall(Service s) {
    return s.api.call("getThread").bearer(s.user.token()).path("id", s.small).send().expect(200).text().length();
  }

  @Benchmark
  public int getThreadHuge(Service s) {
    return s.api.call("getThread").bearer(s.user.token()).path("id", s.huge).send().expect(200).text().length();
  }

  /** Every page of the huge thread's contexts (20 pages of 1 MiB). */
  @Benchmark
  public int listAllContextPagesHuge(Service s) {
    int n = 0;
    String after = null;
    do {
      Api.Call call = s.api.call("listThreadContexts").bearer(s.user.token()).path("id", s.huge).query("limit", "200");
      if (after != null) {
        call.query("after", after);
      }
      JsonObject page = call.send().expect(200).json();
      n += page.getJsonArray("data").size();
      after = page.getString("next_cursor");
    } while (after != null);
    return n;
  }

  @Benchmark
  public int addContext(Service s) {
    return s.api.call("addThreadContext").bearer(s.user.token()).path("id", s.target)
      .body(new JsonObject().put("title", "note").put("body", "y".repeat(1000))).send().expect(201).status();
  }

  /** The unbounded detail's query: every context of the huge thread with its body. */
  @Benchmark
  public long wholeTreeQueryHuge(Service s) throws Exception {
    long chars = 0;
    try (Connection c = TestDatabase.connect(s.app.databaseUrl());
         PreparedStatement ps = c.prepareStatement("SELECT * FROM thread_contexts WHERE thread_id = ? ORDER BY created_at, id")) {
      ps.setString(1, s.huge);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          chars += rs.getString("body").length();
        }
      }
    }
    return chars;
  }
}
