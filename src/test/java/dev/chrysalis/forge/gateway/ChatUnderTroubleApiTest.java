package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.ratelimit.RateLimitService;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.ChatLoad;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steady chat load from four users (two on the free plan, limited per minute, per day and in
 * messages; two on the team plan, unlimited), and alongside two clients calling a public
 * operation that is limited per client address, while PostgreSQL or Redis is killed and started
 * again, or Redis is paused (SIGSTOP) and resumed. Every answer is 2xx or 503 with Retry-After in our shape (never another 5xx, never an
 * answer outside the contract); chat is answered again after recovery; and the ledger then holds
 * exactly one usage row per chat answered 2xx, with matching message counters.
 *
 * <p>Each phase waits for what it needs to see (the load running, the outage seen by a client or
 * the limiter, recovery) up to a deadline instead of sleeping a fixed time, so a slow machine
 * makes the test slower, not wrong.
 */
class ChatUnderTroubleApiTest {

  private static final String ADMIN = "ops-trouble@example.com";
  private static final Duration PHASE = Duration.ofSeconds(30);

  private static Map<String, String> env(FakeProviders fake, String databaseUrl, RedisProcess redis) {
    Map<String, String> env = ChatLoad.env(fake);
    env.putAll(TestApp.env("CHRYSALIS_DATABASE_URL", databaseUrl, "CHRYSALIS_REDIS_URL", redis.url(),
      "CHRYSALIS_DB_POOL_SIZE", "4", "CHRYSALIS_ADMIN_EMAILS", ADMIN,
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "6000", "CHRYSALIS_RATE_FREE_PER_DAY", "1000000",
      "CHRYSALIS_RATE_TEAM_PER_MINUTE", "0", "CHRYSALIS_RATE_TEAM_PER_DAY", "0",
      "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "6000", "CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1",
      "CHRYSALIS_REDIS_RETRY_MS", "200"));
    return env;
  }

  /** Two free users and two team users (the team plan assigned by a verified operator). */
  private static List<Users.Registered> users(TestApp app) {
    Api api = app.api();
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN).put("password", Users.PASSWORD))
      .send().expect(201).json();
    Users.Registered admin = new Users.Registered(reg.getString("id"), ADMIN, reg.getString("token"));
    Users.verify(app, admin);
    List<Users.Registered> users = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Users.Registered u = Users.register(api);
      if (i >= 2) {
        api.call("setUserPlan").bearer(admin.token()).path("id", u.id())
          .body(new JsonObject().put("plan_id", "team")).send().expect(200);
      }
      users.add(u);
    }
    return users;
  }

  /** Two clients of the public operation, each from its own address. */
  private static List<Api> publicClients(TestApp app) {
    return List.of(app.api().withHeader("X-Forwarded-For", "198.51.100.41"),
      app.api().withHeader("X-Forwarded-For", "198.51.100.42"));
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void postgresRestartedUnderChatLoad() throws Exception {
    Path dataDir = Files.createTempDirectory("forge-chat-pg");
    int port = freePort();
    EmbeddedPostgres pg = startPostgres(dataDir, port);
    try {
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null)) {
        c.createStatement().execute("CREATE DATABASE forge");
      }
      String url = "postgresql://postgres@localhost:" + port + "/forge";
      try (FakeProviders fake = new FakeProviders(); RedisProcess redis = RedisProcess.start();
           TestApp app = TestApp.start(env(fake, url, redis))) {
        ChatLoad load = new ChatLoad(List.of(app.api()), users(app), publicClients(app));
        load.awaitSuccessesAfter(System.nanoTime(), 8, PHASE);

        long downAt = System.nanoTime();
        pg.close();
        // down until chats have been refused for a while: the outage is seen, and long enough
        // that calls queued behind the first refusals meet it too
        load.awaitChats(downAt, 4, PHASE, 503, "answered 503 while PostgreSQL is down");
        pg = startPostgres(dataDir, port);
        long upAt = System.nanoTime();
        load.awaitSuccessesAfter(upAt, 8, PHASE);
        List<ChatLoad.Call> calls = load.stop();

        ChatLoad.assertOnly2xxOr503(calls);
        assertThat(calls).noneMatch(c -> c.status() == -1);
        assertThat(calls).filteredOn(publicCall(upAt, 2)).as("public operation answered after recovery").isNotEmpty();
        long ok = ChatLoad.assertLedgerMatches(url, calls, PHASE);
        report("postgres restart", calls, ok, downAt, upAt);
      }
    } finally {
      pg.close();
      deleteTree(dataDir);
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void redisRestartedUnderChatLoad() throws Exception {
    try (FakeProviders fake = new FakeProviders(); RedisProcess redis = RedisProcess.start()) {
      String url = TestDatabase.freshDatabaseUrl();
      try (TestApp app = TestApp.start(env(fake, url, redis))) {
        ChatLoad load = new ChatLoad(List.of(app.api()), users(app), publicClients(app));
        load.awaitSuccessesAfter(System.nanoTime(), 8, PHASE);

        long downAt = System.nanoTime();
        redis.kill();
        // down until the limiter has noticed and chats have been answered without Redis
        awaitRedisState(app, s -> !"up".equals(s));
        load.awaitChats(System.nanoTime(), 8, PHASE, 200, "answered (2xx) while Redis is down");
        redis.startAgain();
        long upAt = System.nanoTime();
        awaitRedisState(app, "up"::equals);
        long backAt = System.nanoTime();
        load.awaitSuccessesAfter(backAt, 8, PHASE);
        List<ChatLoad.Call> calls = load.stop();

        ChatLoad.assertOnly2xxOr503(calls);
        assertThat(calls).noneMatch(c -> c.status() == -1);
        assertThat(calls).filteredOn(publicCall(downAt, 2)).filteredOn(c -> c.atNanos() < upAt)
          .as("public operation answered while Redis is down").isNotEmpty();
        assertThat(calls).filteredOn(publicCall(backAt, 2)).as("public operation answered after recovery").isNotEmpty();
        assertThat(stats(app).getLong("redis_fallbacks")).as("the outage was noticed").isPositive();
        long ok = ChatLoad.assertLedgerMatches(url, calls, PHASE);
        report("redis restart", calls, ok, downAt, upAt);
      }
    }
  }

  /** Redis frozen (SIGSTOP): connections stay open and nothing answers, unlike a refused port. */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void redisPausedUnderChatLoad() throws Exception {
    try (FakeProviders fake = new FakeProviders(); RedisProcess redis = RedisProcess.start()) {
      String url = TestDatabase.freshDatabaseUrl();
      try (TestApp app = TestApp.start(env(fake, url, redis))) {
        ChatLoad load = new ChatLoad(List.of(app.api()), users(app), publicClients(app));
        load.awaitSuccessesAfter(System.nanoTime(), 8, PHASE);

        long downAt = System.nanoTime();
        redis.pause();
        try {
          awaitRedisState(app, s -> !"up".equals(s));
          load.awaitChats(System.nanoTime(), 8, PHASE, 200, "answered (2xx) while Redis is paused");
        } finally {
          redis.resume();
        }
        long upAt = System.nanoTime();
        awaitRedisState(app, "up"::equals);
        long backAt = System.nanoTime();
        load.awaitSuccessesAfter(backAt, 8, PHASE);
        List<ChatLoad.Call> calls = load.stop();

        ChatLoad.assertOnly2xxOr503(calls);
        assertThat(calls).noneMatch(c -> c.status() == -1);
        assertThat(calls).filteredOn(publicCall(downAt, 2)).filteredOn(c -> c.atNanos() < upAt)
          .as("public operation answered while Redis is paused").isNotEmpty();
        assertThat(stats(app).getLong("redis_fallbacks")).as("the pause was noticed").isPositive();
        long ok = ChatLoad.assertLedgerMatches(url, calls, PHASE);
        report("redis paused", calls, ok, downAt, upAt);
      }
    }
  }

  private static Predicate<ChatLoad.Call> publicCall(long afterNanos, int statusClass) {
    return c -> !c.chat() && c.atNanos() > afterNanos && c.status() / 100 == statusClass;
  }

  private static void report(String what, List<ChatLoad.Call> calls, long ok, long downAt, long upAt) {
    List<ChatLoad.Call> during = calls.stream().filter(c -> c.atNanos() > downAt && c.atNanos() < upAt).toList();
    System.out.printf("%s: %d calls (%d chats answered 2xx, %d 503; public %d 2xx, %d 503); down %d ms: %d chats 2xx, %d 503%n",
      what, calls.size(), ok, calls.stream().filter(c -> c.chat() && c.status() == 503).count(),
      calls.stream().filter(c -> !c.chat() && c.status() / 100 == 2).count(),
      calls.stream().filter(c -> !c.chat() && c.status() == 503).count(),
      TimeUnit.NANOSECONDS.toMillis(upAt - downAt),
      during.stream().filter(c -> c.chat() && c.status() / 100 == 2).count(),
      during.stream().filter(c -> c.chat() && c.status() == 503).count());
  }

  private static JsonObject stats(TestApp app) throws Exception {
    return RateLimitService.createProxyWaiting(app.vertx(), 30_000).stats().await(60, TimeUnit.SECONDS);
  }

  private static void awaitRedisState(TestApp app, Predicate<String> wanted) throws Exception {
    long deadline = System.nanoTime() + PHASE.toNanos();
    String state = null;
    while (System.nanoTime() < deadline) {
      state = stats(app).getString("redis_state");
      if (wanted.test(state)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the limiter's Redis state stayed " + state + " for " + PHASE);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws IOException {
    return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
      .setServerConfig("fsync", "off").start();
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
