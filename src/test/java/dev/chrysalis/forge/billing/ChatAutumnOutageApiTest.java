package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.gateway.FakeProviders;
import dev.chrysalis.forge.testing.ChatLoad;
import dev.chrysalis.forge.testing.CuttableProxy;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Autumn mode under a steady chat load from four users (two on the free plan, limited per
 * minute, per day and in messages; two subscribed in Autumn to the team plan, unlimited); Autumn
 * becomes unreachable (its port refuses, open connections reset) and comes back. Every answer is 2xx or 503 with Retry-After; the local ledger holds exactly one row
 * per call answered 2xx; and once Autumn answers again it has received exactly one usage event
 * per such call.
 */
class ChatAutumnOutageApiTest {

  @Test
  void autumnUnreachableUnderChatLoad() throws Exception {
    try (FakeAutumn autumn = new FakeAutumn(); FakeProviders fake = new FakeProviders();
         RedisProcess redis = RedisProcess.start();
         CuttableProxy toAutumn = new CuttableProxy(URI.create(autumn.baseUrl()).getPort())) {
      String db = TestDatabase.freshDatabaseUrl();
      Map<String, String> env = AutumnBillingApiTest.autumnEnv(autumn);
      env.putAll(ChatLoad.env(fake));
      env.putAll(TestApp.env("AUTUMN_API_BASE", "http://127.0.0.1:" + toAutumn.port(),
        "CHRYSALIS_DATABASE_URL", db, "CHRYSALIS_REDIS_URL", redis.url(),
        "CHRYSALIS_RATE_FREE_PER_MINUTE", "6000", "CHRYSALIS_RATE_FREE_PER_DAY", "1000000",
        "CHRYSALIS_RATE_TEAM_PER_MINUTE", "0", "CHRYSALIS_RATE_TEAM_PER_DAY", "0",
        "CHRYSALIS_AUTUMN_CHECK_CACHE_MS", "200"));
      try (TestApp app = TestApp.start(env)) {
        List<Users.Registered> users = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          Users.Registered u = Users.register(app.api());
          if (i % 2 == 1) {
            autumn.subscribe(u.id(), "team");
            assertThat(app.api().call("getBillingPlan").bearer(u.token()).send().expect(200).json()
              .getString("plan_id")).isEqualTo("team");
          }
          users.add(u);
        }
        ChatLoad load = new ChatLoad(List.of(app.api()), users);
        ChatLoad.settle(1_500);
        toAutumn.cut();
        long cutAt = System.nanoTime();
        ChatLoad.settle(3_000);
        toAutumn.restore();
        load.awaitSuccessesAfter(System.nanoTime(), 8, Duration.ofSeconds(30));
        List<ChatLoad.Call> calls = load.stop();
        ChatLoad.assertOnly2xxOr503(calls);
        assertThat(calls).noneMatch(c -> c.status() == -1);
        assertThat(calls).filteredOn(c -> c.atNanos() > cutAt + TimeUnit.SECONDS.toNanos(1) && c.status() / 100 == 2)
          .as("chat is served from the local view while Autumn is unreachable").isNotEmpty();
        // the outage was real: balances.check was answered from the local ledger
        String metrics = app.api().call("getMetrics").send().expect(200).text();
        double fallbacks = metrics.lines()
          .filter(l -> l.startsWith("forge_billing_autumn_fallbacks_total{call=\"balances.check\"}"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(fallbacks).as("balances.check fallbacks").isPositive();
        long ok = ChatLoad.assertLedgerMatches(db, calls, Duration.ofSeconds(30));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (autumn.tracks.size() < ok && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(autumn.tracks).as("usage events Autumn received").hasSize((int) ok);
        assertThat(autumn.appliedByKey.values()).allMatch(n -> n.get() == 1);
        System.out.printf("autumn unreachable: %d calls, %d answered 2xx, %d 503, %d usage events delivered%n",
          calls.size(), ok, calls.stream().filter(c -> c.status() == 503).count(), autumn.tracks.size());
      }
    }
  }
}
