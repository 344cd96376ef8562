package dev.chrysalis.forge.bench;

import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Costs billing adds to a chat call, each through the event bus as the gateway calls them:
 * getPlan (cached plan), reserveMessage (plan + the conditional upsert and the reservation row in
 * one transaction) and recordUsage (ledger row, daily aggregate, reservation settled, one
 * transaction). Local ledger mode, an unlimited default plan. Run with scripts/bench-jmh Billing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BillingBenchmarks {

  @State(Scope.Benchmark)
  public static class Service {
    TestApp app;
    BillingService billing;
    final String user = "usr_bench" + UUID.randomUUID().toString().substring(0, 8);
    final AtomicLong seq = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
      app = TestApp.start(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "team"));
      billing = BillingService.createProxy(app.vertx());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      app.close();
    }
  }

  @Benchmark
  public JsonObject getPlan(Service s) throws Exception {
    return s.billing.getPlan(s.user, null).await(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public JsonObject reserveMessage(Service s) throws Exception {
    return s.billing.reserveMessage(new JsonObject().put("user_id", s.user).put("request_id", "req_" + s.seq.incrementAndGet()))
      .await(10, TimeUnit.SECONDS);
  }

  @Benchmark
  public JsonObject recordUsage(Service s) throws Exception {
    return s.billing.recordUsage(new JsonObject().put("id", "req_u" + s.seq.incrementAndGet()).put("user_id", s.user)
      .put("model", "gpt-4o-mini").put("provider", "openai").put("input_tokens", 1200).put("output_tokens", 300))
      .await(10, TimeUnit.SECONDS);
  }
}
