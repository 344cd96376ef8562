package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.ChatLoad;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steady chat load from four users (two on the free plan, limited per minute, per day and in
 * messages; two on the team plan, unlimited) while PostgreSQL or Redis restarts: every answer is
 * 2xx or 503 with Retry-After in our shape, chat is answered again after recovery, and the ledger
 * then holds exactly one usage row per call answered 2xx, with matching message counters.
 */
class ChatUnderTroubleApiTest {

  private static final String ADMIN = "ops-trouble@example.com";

  private static Map<String, String> env(FakeProviders fake, String databaseUrl, RedisProcess redis) {
    Map<String, String> env = ChatLoad.env(fake);
    env.putAll(TestApp.env("CHRYSALIS_DATABASE_URL", databaseUrl, "CHRYSALIS_REDIS_URL", redis.url(),
      "CHRYSALIS_DB_POOL_SIZE", "4", "CHRYSALIS_ADMIN_EMAILS", ADMIN,
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "6000", "CHRYSALIS_RATE_FREE_PER_DAY", "1000000",
      "CHRYSALIS_RATE_TEAM_PER_MINUTE", "0", "CHRYSALIS_RATE_TEAM_PER_DAY", "0"));
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

  @Test
  void postgresRestartedUnderChatLoad() throws Exception {
    Path dataDir = Files.createTempDirectory("forge-chat-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EmbeddedPostgres pg = startPostgres(dataDir, port);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null)) {
      c.createStatement().execute("CREATE DATABASE forge");
    }
    String url = "postgresql://postgres@localhost:" + port + "/forge";
    try (FakeProviders fake = new FakeProviders(); RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(env(fake, url, redis))) {
      ChatLoad load = new ChatLoad(List.of(app.api()), users(app));
      ChatLoad.settle(1_500);
      pg.close();
      long downAt = System.nanoTime();
      ChatLoad.settle(2_000);
      pg = startPostgres(dataDir, port);
      long upAt = System.nanoTime();
      load.awaitSuccessesAfter(upAt, 8, Duration.ofSeconds(30));
      List<ChatLoad.Call> calls = load.stop();
      ChatLoad.assertOnly2xxOr503(calls);
      assertThat(calls).filteredOn(c -> c.atNanos() > downAt && c.atNanos() < upAt && c.status() == 503)
        .as("the outage was seen").isNotEmpty();
      assertThat(calls).noneMatch(c -> c.status() == -1);
      long ok = ChatLoad.assertLedgerMatches(url, calls, Duration.ofSeconds(30));
      System.out.printf("postgres restart: %d calls, %d answered 2xx, %d 503%n", calls.size(), ok,
        calls.stream().filter(c -> c.status() == 503).count());
    } finally {
      pg.close();
    }
  }

  @Test
  void redisRestartedUnderChatLoad() throws Exception {
    try (FakeProviders fake = new FakeProviders(); RedisProcess redis = RedisProcess.start()) {
      String url = dev.chrysalis.forge.testing.TestDatabase.freshDatabaseUrl();
      try (TestApp app = TestApp.start(env(fake, url, redis))) {
        ChatLoad load = new ChatLoad(List.of(app.api()), users(app));
        ChatLoad.settle(1_500);
        redis.kill();
        ChatLoad.settle(2_000);
        redis.startAgain();
        long upAt = System.nanoTime();
        load.awaitSuccessesAfter(upAt, 8, Duration.ofSeconds(30));
        List<ChatLoad.Call> calls = load.stop();
        ChatLoad.assertOnly2xxOr503(calls);
        assertThat(calls).noneMatch(c -> c.status() == -1);
        long ok = ChatLoad.assertLedgerMatches(url, calls, Duration.ofSeconds(30));
        System.out.printf("redis restart: %d calls, %d answered 2xx, %d 503%n", calls.size(), ok,
          calls.stream().filter(c -> c.status() == 503).count());
      }
    }
  }

  private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
      .setServerConfig("fsync", "off").start();
  }
}
