package dev.chrysalis.forge.health;

import dev.chrysalis.forge.testing.Api;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL stops and starts again (same data directory, same port) while four clients keep
 * reading and writing: no 500 and no hang, 503 in our error shape while it is down, readiness
 * says so, service back within 5 s of the database, and every write acknowledged with 201 is
 * in the database afterwards.
 */
class DatabaseOutageTest {

  private record Outcome(long atNanos, int status, String code, String keyId) {
  }

  @Test
  void postgresRestartUnderLoad() throws Exception {
    Path dataDir = Files.createTempDirectory("forge-outage-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EmbeddedPostgres pg = startPostgres(dataDir, port);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null)) {
      c.createStatement().execute("CREATE DATABASE forge");
    }
    String url = "postgresql://postgres@localhost:" + port + "/forge";
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", url, "CHRYSALIS_DB_POOL_SIZE", "4",
        // the load creates API keys without end: no per-plan key cap in its way
        "CHRYSALIS_LIMIT_FREE_API_KEYS", "0"))) {
      Api api = app.api();
      Users.Registered user = Users.register(api);
      // made before the outage, first used during it: AuthService must reach the database for it
      String unseenKey = Users.apiKey(api, user, "*");
      AtomicBoolean running = new AtomicBoolean(true);
      ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
      for (int t = 0; t < 4; t++) {
        boolean writer = t % 2 == 0;
        clients.submit(() -> {
          while (running.get()) {
            outcomes.add(writer ? createKey(api, user) : readMe(api, user));
          }
        });
      }
      Thread.sleep(1_000);

      pg.close();
      long downAt = System.nanoTime();
      Thread.sleep(1_500);
      Api.Resp ready = api.call("getReadiness").send().expect(503);
      assertThat(ready.json().getJsonObject("checks").getJsonObject("database").getString("status")).isEqualTo("down");
      assertThat(ready.json().getJsonObject("error").getString("code")).isEqualTo("not_ready");
      api.call("getHealth").send().expect(503);
      // the key was never judged, so not 401: the caller should retry
      Api.Resp keyDuringOutage = api.call("getCurrentUser").bearer(unseenKey).send().expect(503);
      assertThat(keyDuringOutage.error().getString("code")).isEqualTo("service_unavailable");
      assertThat(keyDuringOutage.header("retry-after")).isEqualTo("1");
      api.call("getCurrentUser").header("x-api-key", unseenKey).send().expect(503);
      Thread.sleep(1_000);

      pg = startPostgres(dataDir, port);
      long upAt = System.nanoTime();
      long deadline = upAt + TimeUnit.SECONDS.toNanos(5);
      boolean recovered = false;
      while (!recovered && System.nanoTime() < deadline) {
        recovered = outcomes.stream().anyMatch(o -> o.atNanos > upAt && (o.status == 200 || o.status == 201));
        Thread.sleep(20);
      }
      assertThat(recovered).as("a request succeeds within 5 s of the database coming back").isTrue();
      api.call("getReadiness").send().expect(200);
      Thread.sleep(500);
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      List<Outcome> all = new ArrayList<>(outcomes);
      assertThat(all).extracting(Outcome::status).allMatch(s -> Set.of(200, 201, 503).contains(s),
        "only 200, 201 and 503 (never 500, never a timeout)");
      assertThat(all).filteredOn(o -> o.atNanos > downAt && o.atNanos < upAt && o.status == 503).isNotEmpty();
      assertThat(all).filteredOn(o -> o.status == 503).extracting(Outcome::code)
        .allMatch(c -> c.equals("service_unavailable") || c.equals("service_timeout"));
      List<String> acknowledged = all.stream().filter(o -> o.keyId != null).map(Outcome::keyId).toList();
      assertThat(acknowledged).isNotEmpty();
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/forge", "postgres", null);
           PreparedStatement q = c.prepareStatement("SELECT count(*) FROM api_keys WHERE id = ANY(?)")) {
        q.setArray(1, c.createArrayOf("text", acknowledged.toArray()));
        try (ResultSet rs = q.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).as("every acknowledged key is stored").isEqualTo(acknowledged.size());
        }
      }
    } finally {
      clients.shutdownNow();
      pg.close();
    }
  }

  private static Outcome createKey(Api api, Users.Registered user) {
    Api.Resp r = api.call("createApiKey").bearer(user.token()).body(new JsonObject().put("name", "outage"))
      .timeout(Duration.ofSeconds(10)).send();
    return outcome(r, r.status() == 201 ? r.json().getString("id") : null);
  }

  private static Outcome readMe(Api api, Users.Registered user) {
    return outcome(api.call("getCurrentUser").bearer(user.token()).timeout(Duration.ofSeconds(10)).send(), null);
  }

  private static Outcome outcome(Api.Resp r, String keyId) {
    String code = r.status() >= 400 ? r.error().getString("code") : null;
    return new Outcome(System.nanoTime(), r.status(), code, keyId);
  }

  private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
      .setServerConfig("fsync", "off").start();
  }
}
