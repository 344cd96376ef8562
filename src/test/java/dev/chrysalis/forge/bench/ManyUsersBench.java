package dev.chrysalis.forge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many distinct users calling chat at once (the limited-plan mode of {@code scripts/bench users}):
 * registers {@code --users} accounts (their session tokens), then drives a closed loop over
 * {@code --connections} connections in which every request is sent as the next user in turn, so
 * no user's row or counter is shared between requests in flight. Prints req/s, latency, the
 * answers that were not 200 by status, and the service's CPU per call (from /proc, robust to other
 * load on the machine, unlike req/s).
 */
public final class ManyUsersBench {

  public static void main(String[] args) throws Exception {
    String service = BenchUpstream.arg(args, "--service", "http://127.0.0.1:18941");
    int users = Integer.parseInt(BenchUpstream.arg(args, "--users", "1000"));
    double seconds = Double.parseDouble(BenchUpstream.arg(args, "--duration", "20"));
    double warmup = Double.parseDouble(BenchUpstream.arg(args, "--warmup", "15"));
    int connections = Integer.parseInt(BenchUpstream.arg(args, "--connections", "16"));
    String label = BenchUpstream.arg(args, "--label", "users");
    long pid = Long.parseLong(BenchUpstream.arg(args, "--pid", "0"));
    long hz = Long.parseLong(BenchUpstream.arg(args, "--hz", "100"));
    Vertx vertx = Vertx.vertx();
    try {
      URI base = URI.create(service);
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
      List<String> tokens = register(client, base, users, connections);
      System.out.printf("%s: %d users registered%n", label, tokens.size());
      run(client, base, tokens, connections, warmup, label + " warm-up", 0, hz);
      run(client, base, tokens, connections, seconds, label + " " + connections + " connections", pid, hz);
      client.close();
    } finally {
      vertx.close();
    }
  }

  private static List<String> register(HttpClient client, URI base, int users, int inFlight) throws Exception {
    List<String> tokens = new ArrayList<>();
    String run = UUID.randomUUID().toString().substring(0, 8);
    AtomicInteger next = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(inFlight);
    for (int i = 0; i < inFlight; i++) {
      registerNext(client, base, run, users, next, tokens, done);
    }
    done.await(600, TimeUnit.SECONDS);
    if (tokens.size() < users) {
      throw new IllegalStateException("only " + tokens.size() + " of " + users + " users registered");
    }
    return tokens;
  }

  private static void registerNext(HttpClient client, URI base, String run, int users, AtomicInteger next,
                                   List<String> tokens, CountDownLatch done) {
    int i = next.getAndIncrement();
    if (i >= users) {
      done.countDown();
      return;
    }
    JsonObject body = new JsonObject().put("email", "bench-" + run + "-" + i + "@example.test")
      .put("password", "benchmark password 1");
    client.request(options(base, "/auth/register")).compose(req -> req.send(body.toBuffer()))
      .compose(res -> res.body().map(b -> res.statusCode() == 201 ? b.toJsonObject().getString("token") : null))
      .onComplete(ar -> {
        if (ar.succeeded() && ar.result() != null) {
          synchronized (tokens) {
            tokens.add(ar.result());
          }
        } else {
          System.out.println("registration failed: " + (ar.failed() ? ar.cause() : "status"));
        }
        registerNext(client, base, run, users, next, tokens, done);
      });
  }

  private static void run(HttpClient client, URI base, List<String> tokens, int connections, double seconds,
                          String label, long pid, long hz) throws Exception {
    Histogram whole = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong ok = new AtomicLong();
    Map<Integer, AtomicLong> others = new TreeMap<>();
    AtomicInteger turn = new AtomicInteger();
    long cpuBefore = pid > 0 ? ticks(pid) : 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    CountDownLatch finished = new CountDownLatch(connections);
    Buffer body = Buffer.buffer(PassThroughBench.BODY);
    for (int i = 0; i < connections; i++) {
      loop(client, base, tokens, turn, body, end, whole, ok, others, finished);
    }
    finished.await((long) seconds + 120, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long calls = ok.get();
    long failed;
    synchronized (others) {
      failed = others.values().stream().mapToLong(AtomicLong::get).sum();
    }
    String cpu = "";
    if (pid > 0) {
      double cpuSeconds = (ticks(pid) - cpuBefore) / (double) hz;
      cpu = String.format("  service CPU %.2f s/s, %.0f µs per call", cpuSeconds / elapsed,
        1e6 * cpuSeconds / Math.max(1, calls + failed));
    }
    System.out.printf("%-34s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  (%d ok, not 200: %s)%s%n", label, calls / elapsed,
      whole.getValueAtPercentile(50) / 1000.0, whole.getValueAtPercentile(99) / 1000.0, calls, others, cpu);
  }

  private static void loop(HttpClient client, URI base, List<String> tokens, AtomicInteger turn, Buffer body, long end,
                           Histogram whole, AtomicLong ok, Map<Integer, AtomicLong> others, CountDownLatch finished) {
    if (System.nanoTime() >= end) {
      finished.countDown();
      return;
    }
    String token = tokens.get(Math.floorMod(turn.getAndIncrement(), tokens.size()));
    long sent = System.nanoTime();
    RequestOptions o = options(base, "/v1/chat/completions").putHeader("authorization", "Bearer " + token);
    client.request(o).compose(req -> req.send(body)).compose(res -> res.end().map(v -> res.statusCode()))
      .onComplete(ar -> {
        int status = ar.succeeded() ? ar.result() : 0;
        if (status == 200) {
          synchronized (whole) {
            whole.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
          }
          ok.incrementAndGet();
        } else {
          synchronized (others) {
            others.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
          }
        }
        loop(client, base, tokens, turn, body, end, whole, ok, others, finished);
      });
  }

  private static RequestOptions options(URI base, String path) {
    return new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost()).setPort(base.getPort())
      .setURI(path).putHeader("content-type", "application/json");
  }

  private static long ticks(long pid) throws Exception {
    String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll("^.*\\) ", "").split(" ");
    // fields after "(comm) ": state is index 0, so utime (field 14) is 11 and stime (15) is 12
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
