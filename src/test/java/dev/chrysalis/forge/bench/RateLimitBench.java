package dev.chrysalis.forge.bench;

import dev.chrysalis.forge.ratelimit.LimiterBenchAccess;
import dev.chrysalis.forge.testing.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Rate-limit checks: the in-process GCRA (one known subject, and 100,000 subjects round robin),
 * and the Redis Lua script against a local redis-server the benchmark starts itself, one check
 * at a time and 64 in flight. Run with {@code ./scripts/bench RateLimitBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RateLimitBench {

  private static final int SUBJECTS = 100_000;
  private static final int IN_FLIGHT = 64;

  @State(Scope.Thread)
  public static class Memory {
    LimiterBenchAccess limiter;
    String[] subjects;
    int next;
    long now = 1_764_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() {
      limiter = LimiterBenchAccess.memory(SUBJECTS * 2);
      subjects = new String[SUBJECTS];
      for (int i = 0; i < SUBJECTS; i++) {
        subjects[i] = "u:usr_" + i;
      }
    }
  }

  @State(Scope.Benchmark)
  public static class OnRedis {
    Vertx vertx;
    RedisProcess redis;
    LimiterBenchAccess limiter;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      vertx = Vertx.vertx();
      redis = RedisProcess.start();
      limiter = LimiterBenchAccess.redis(vertx, redis.url());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      limiter.close().await(10, TimeUnit.SECONDS);
      redis.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Benchmark
  public boolean memoryOneSubject(Memory m) {
    return m.limiter.checkNow("u:usr_hot", ++m.now);
  }

  @Benchmark
  public boolean memoryManySubjects(Memory m) {
    int i = m.next++ % SUBJECTS;
    return m.limiter.checkNow(m.subjects[i], ++m.now);
  }

  @Benchmark
  public boolean redisOneAtATime(OnRedis r) throws Exception {
    return r.limiter.check("u:usr_" + (r.next++ % 1000), System.currentTimeMillis()).await(5, TimeUnit.SECONDS);
  }

  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object redis64InFlight(OnRedis r) throws Exception {
    List<Future<Boolean>> all = new ArrayList<>(IN_FLIGHT);
    long now = System.currentTimeMillis();
    for (int i = 0; i < IN_FLIGHT; i++) {
      all.add(r.limiter.check("u:usr_" + (r.next++ % 1000), now));
    }
    return Future.all(all).await(5, TimeUnit.SECONDS);
  }
}
