package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.chrysalis.forge.billing.AutumnBillingApiTest.count;
import static dev.chrysalis.forge.billing.AutumnBillingApiTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What is owed to Autumn survives a restart: written while Autumn is down (usage recorded through
 * the billing service's proxy), delivered by the next process.
 */
@ExtendWith(VertxExtension.class)
class OutboxRestartApiTest {

  @Test
  void pendingOutboxIsDeliveredAfterARestart(VertxTestContext ctx) throws Throwable {
    String db = TestDatabase.freshDatabaseUrl();
    try (FakeAutumn autumn = new FakeAutumn()) {
      Map<String, String> env = AutumnBillingApiTest.autumnEnv(autumn);
      env.put("CHRYSALIS_DATABASE_URL", db);
      autumn.down(true);
      Users.Registered u;
      String eventId;
      try (TestApp first = TestApp.start(env)) {
        u = Users.register(first.api());
        JsonObject e = AutumnBillingApiTest.event(u.id(), "gpt-4o");
        eventId = e.getString("id");
        BillingService.createProxy(first.vertx()).recordUsage(e).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.getBoolean("recorded")).isTrue();
          ctx.completeNow();
        })));
        assertThat(ctx.awaitCompletion(30, TimeUnit.SECONDS)).as("usage recorded").isTrue();
        if (ctx.failed()) {
          throw ctx.causeOfFailure();
        }
        eventually("a failed delivery attempt", () -> count(db,
          "SELECT COUNT(*) FROM billing_outbox WHERE attempts > 0 AND id = 'trk:" + u.id() + ":" + eventId + "'") == 1);
      }
      assertThat(count(db, "SELECT COUNT(*) FROM billing_outbox WHERE delivered_at IS NULL")).isEqualTo(2);
      assertThat(autumn.tracks).isEmpty();

      autumn.down(false);
      try (TestApp second = TestApp.start(env)) {
        eventually("delivery after the restart", () -> count(db,
          "SELECT COUNT(*) FROM billing_outbox WHERE delivered_at IS NULL") == 0);
        assertThat(autumn.applied("cus:" + u.id())).isEqualTo(1);
        assertThat(autumn.applied("trk:" + u.id() + ":" + eventId)).isEqualTo(1);
        assertThat(autumn.tracks).hasSize(1);
        assertThat(autumn.tracks.get(0).getJsonObject("properties").getString("model")).isEqualTo("gpt-4o");
      }
    }
  }
}
