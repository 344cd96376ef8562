package dev.chrysalis.forge.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * What the intake defences cost per request: the storable-text walk over a parsed chat body
 * (2 messages, and 80 messages of about 45 KB, the long-history case), set against parsing that
 * body, and one reservation and release of body bytes against the node and client budgets. Run
 * with {@code scripts/bench-jmh IntakeBench}.
 */
@State(Scope.Thread)
@Fork(1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IntakeBench {

  private String smallText;
  private String largeText;
  private JsonObject small;
  private JsonObject large;
  private Vertx vertx;
  private IntakeBudget budget;

  @Setup(Level.Trial)
  public void setUp() {
    small = chat(2);
    large = chat(80);
    smallText = small.encode();
    largeText = large.encode();
    vertx = Vertx.vertx();
    budget = IntakeBudget.of(vertx, HttpConfig.from(new JsonObject()));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject chat(int messages) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < messages; i++) {
      list.add(new JsonObject().put("role", i % 2 == 0 ? "user" : "assistant")
        .put("content", ("Message " + i + ": the quick brown fox jumps over the lazy dog, café, 日本, \uD83D\uDE00. ")
          .repeat(6)));
    }
    return new JsonObject().put("model", "gpt-4o-mini").put("messages", list).put("temperature", 0.2)
      .put("metadata", new JsonObject().put("trace", "abc"));
  }

  @Benchmark
  public Object textCheckSmallChat() {
    return TextCheck.find(small);
  }

  @Benchmark
  public Object textCheckLargeChat() {
    return TextCheck.find(large);
  }

  @Benchmark
  public Object parseSmallChat() {
    return new JsonObject(smallText);
  }

  @Benchmark
  public Object parseLargeChat() {
    return new JsonObject(largeText);
  }

  @Benchmark
  public Object budgetReserveAndRelease() {
    IntakeBudget.Grant g = budget.reserve("203.0.113.7", 45_000);
    budget.release("203.0.113.7", 45_000);
    return g;
  }

  public static void main(String[] args) throws Exception {
    IntakeBench b = new IntakeBench();
    b.setUp();
    System.out.println("large chat body: " + b.largeText.length() + " chars");
    b.tearDown();
  }
}
