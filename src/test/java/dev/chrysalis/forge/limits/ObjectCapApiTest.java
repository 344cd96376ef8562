package dev.chrysalis.forge.limits;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chrysalis.forge.testing.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-plan caps on stored objects: a free user (the default plan here) reaches each cap with a
 * 409 {@code <kind>_limit} in our error shape that stores nothing, also when the creations race;
 * a plan with cap 0 is not capped. Each cap's count is an index lookup, so a creation costs the
 * same however many objects other users hold.
 */
class ObjectCapApiTest {

  private static final int CAP = 3;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    app = TestApp.start(Map.of(
      "CHRYSALIS_DEFAULT_PLAN", "free",
      "CHRYSALIS_LIMIT_FREE_API_KEYS", String.valueOf(CAP),
      "CHRYSALIS_LIMIT_FREE_PROJECTS", String.valueOf(CAP),
      "CHRYSALIS_LIMIT_FREE_THREADS", String.valueOf(CAP),
      "CHRYSALIS_LIMIT_FREE_SESSIONS", String.valueOf(CAP),
      "CHRYSALIS_LIMIT_ENTERPRISE_API_KEYS", "0"));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private static long count(String table, String ownerColumn, Users.Registered u) {
    return Workspaces.count(app, "SELECT count(*) FROM " + table + " WHERE " + ownerColumn + " = '" + u.id() + "'");
  }

  private static void assertLimit(Api.Resp r, String code) {
    r.expect(409);
    assertThat(r.error().getString("code")).isEqualTo(code);
    assertThat(r.error().getString("type")).isEqualTo("conflict");
    assertThat(r.error().getString("message")).contains(String.valueOf(CAP));
  }

  @Test
  void apiKeysStopAtTheCapAndADeletionMakesRoom() {
    Users.Registered u = Users.register(api);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      ids.add(api.call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", "k" + i)).send().expect(201)
        .json().getString("id"));
    }
    assertLimit(api.call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", "one more")).send(),
      "api_key_limit");
    assertThat(count("api_keys", "user_id", u)).isEqualTo(CAP);
    api.call("deleteApiKey").bearer(u.token()).path("id", ids.get(0)).send().expect(200);
    api.call("createApiKey").bearer(u.token()).body(new JsonObject()).send().expect(201);
    assertThat(count("api_keys", "user_id", u)).isEqualTo(CAP);
  }

  @Test
  void projectsThreadsAndSessionsStopAtTheCap() {
    Users.Registered u = Users.register(api);
    for (int i = 0; i < CAP; i++) {
      api.call("createProject").bearer(u.token()).body(new JsonObject().put("name", "p" + i)).send().expect(201);
      api.call("createThread").bearer(u.token()).body(new JsonObject().put("title", "t" + i)).send().expect(201);
      api.call("createSession").bearer(u.token()).body(new JsonObject()).send().expect(201);
    }
    String before = Workspaces.snapshot(app);
    assertLimit(api.call("createProject").bearer(u.token()).body(new JsonObject().put("name", "more")).send(),
      "project_limit");
    assertLimit(api.call("createThread").bearer(u.token()).body(new JsonObject().put("title", "more")).send(),
      "thread_limit");
    assertLimit(api.call("createSession").bearer(u.token()).body(new JsonObject()).send(), "session_limit");
    assertThat(Workspaces.snapshot(app)).isEqualTo(before);
    // the cap is per user: another free user still creates
    Users.Registered other = Users.register(api);
    api.call("createThread").bearer(other.token()).body(new JsonObject().put("title", "mine")).send().expect(201);
  }

  @Test
  void concurrentCreationsNeverOvershootTheCap() throws Exception {
    Users.Registered u = Users.register(api);
    int attempts = 12;
    race(attempts, () -> api.call("createApiKey").bearer(u.token()).body(new JsonObject()).send(), "api_key_limit");
    race(attempts, () -> api.call("createProject").bearer(u.token())
      .body(new JsonObject().put("name", "p " + java.util.UUID.randomUUID())).send(), "project_limit");
    race(attempts, () -> api.call("createThread").bearer(u.token()).body(new JsonObject()).send(), "thread_limit");
    race(attempts, () -> api.call("createSession").bearer(u.token()).body(new JsonObject()).send(), "session_limit");
    assertThat(count("api_keys", "user_id", u)).isEqualTo(CAP);
    assertThat(count("projects", "owner_id", u)).isEqualTo(CAP);
    assertThat(count("threads", "user_id", u)).isEqualTo(CAP);
    assertThat(count("sessions", "user_id", u)).isEqualTo(CAP);
  }

  private static void race(int attempts, Supplier<Api.Resp> create, String code) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(attempts);
    try {
      List<CompletableFuture<Api.Resp>> calls = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        calls.add(CompletableFuture.supplyAsync(create, pool));
      }
      int created = 0;
      int refused = 0;
      for (CompletableFuture<Api.Resp> c : calls) {
        Api.Resp r = c.get();
        if (r.status() == 201) {
          created++;
        } else {
          assertLimit(r, code);
          refused++;
        }
      }
      assertThat(created).isEqualTo(CAP);
      assertThat(refused).isEqualTo(attempts - CAP);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void apiKeysArePagedNewestFirst() {
    Users.Registered u = Users.register(api);
    for (int i = 0; i < CAP; i++) {
      api.call("createApiKey").bearer(u.token()).body(new JsonObject().put("name", "k" + i)).send().expect(201);
    }
    JsonObject first = api.call("listApiKeys").bearer(u.token()).query("limit", "2").send().expect(200).json();
    assertThat(first.getJsonArray("data")).hasSize(2);
    assertThat(first.getBoolean("has_more")).isTrue();
    assertThat(first.getJsonArray("data").getJsonObject(0).getString("name")).isEqualTo("k2");
    JsonObject second = api.call("listApiKeys").bearer(u.token()).query("limit", "2")
      .query("after", first.getString("next_cursor")).send().expect(200).json();
    assertThat(second.getJsonArray("data")).hasSize(1);
    assertThat(second.getJsonArray("data").getJsonObject(0).getString("name")).isEqualTo("k0");
    assertThat(second.getBoolean("has_more")).isFalse();
    assertThat(second.getValue("next_cursor")).isNull();

    Api.Resp tooMany = api.call("listApiKeys").bearer(u.token()).query("limit", "201").send().expect(400);
    assertThat(tooMany.error().getString("type")).isEqualTo("invalid_request_error");
    Api.Resp badCursor = api.call("listApiKeys").bearer(u.token()).query("after", "bm90LWEtY3Vyc29y").send().expect(400);
    assertThat(badCursor.error().getString("code")).isEqualTo("invalid_cursor");
  }

  /** The counts the stores run under each cap's lock (ApiKeyStore, ProjectStore, ThreadStore, SessionStore). */
  @Test
  void everyCapCountIsAnIndexLookup() throws Exception {
    Users.Registered u = Users.register(api);
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement st = c.createStatement()) {
      // with sequential scans priced out, a plan still holding one has no index to use
      st.execute("SET enable_seqscan = off");
      for (String count : List.of(
        "SELECT count(*) FROM api_keys WHERE user_id = '" + u.id() + "'",
        "SELECT count(*) FROM projects WHERE owner_id = '" + u.id() + "'",
        "SELECT count(*) AS n FROM threads WHERE user_id = '" + u.id() + "'",
        "SELECT count(*) FROM sessions WHERE user_id = '" + u.id() + "' AND thread_id IS NULL")) {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = st.executeQuery("EXPLAIN " + count)) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        assertThat(plan.toString()).as(count).doesNotContain("Seq Scan").contains("Index");
      }
    }
  }
}
