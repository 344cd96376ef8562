package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Usage recorded (through the billing service's proxy) while PostgreSQL is down is kept in the
 * billing verticle's queue and written once the database is back: every event lands exactly once
 * and the daily aggregate follows.
 */
@ExtendWith(VertxExtension.class)
class UsageOutageTest {

  @Test
  void usageRecordedDuringAnOutageLandsWhenTheDatabaseIsBack(VertxTestContext ctx) throws Throwable {
    Path dataDir = Files.createTempDirectory("forge-usage-outage");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EmbeddedPostgres pg = start(dataDir, port);
    String jdbc = "jdbc:postgresql://localhost:" + port + "/postgres";
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", null)) {
      c.createStatement().execute("CREATE DATABASE forge");
    }
    String url = "postgresql://postgres@localhost:" + port + "/forge";
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", url, "CHRYSALIS_DB_POOL_SIZE", "4"))) {
      Users.Registered user = Users.register(app.api());
      BillingService billing = BillingService.createProxy(app.vertx());

      pg.close();
      List<Future<JsonObject>> writes = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        writes.add(billing.recordUsage(new JsonObject().put("id", "req_" + UUID.randomUUID()).put("user_id", user.id())
          .put("model", "gpt-4o-mini").put("provider", "openai").put("input_tokens", 10).put("output_tokens", 5)));
      }
      Thread.sleep(1_500);
      assertThat(writes).noneMatch(Future::isComplete);
      pg = start(dataDir, port);

      Future.join(writes).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertThat(writes).allMatch(f -> f.succeeded() && f.result().getBoolean("recorded"));
        ctx.completeNow();
      })));
      assertThat(ctx.awaitCompletion(60, TimeUnit.SECONDS)).as("every write answered").isTrue();
      if (ctx.failed()) {
        throw ctx.causeOfFailure();
      }
      try (Connection c = DriverManager.getConnection(jdbc.replace("/postgres", "/forge"), "postgres", null);
           ResultSet events = c.createStatement().executeQuery(
             "SELECT count(*) FROM usage_events WHERE user_id = '" + user.id() + "'");
           ResultSet daily = c.createStatement().executeQuery(
             "SELECT messages, input_tokens FROM usage_daily WHERE user_id = '" + user.id() + "'")) {
        events.next();
        assertThat(events.getLong(1)).isEqualTo(20);
        daily.next();
        assertThat(daily.getLong("messages")).isEqualTo(20);
        assertThat(daily.getLong("input_tokens")).isEqualTo(200);
      }
    } finally {
      pg.close();
    }
  }

  private static EmbeddedPostgres start(Path dataDir, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
      .setServerConfig("fsync", "off").start();
  }
}
