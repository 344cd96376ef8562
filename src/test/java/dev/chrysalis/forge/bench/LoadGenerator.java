package dev.chrysalis.forge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP load generator the repo runs itself. Two modes:
 * closed loop ({@code --rate 0}): {@code --connections} requests always in flight, for maximum
 * throughput; open loop ({@code --rate N}): N requests per second at fixed intended times, latency
 * measured from the intended time, so a stalled server cannot hide its queueing (no coordinated
 * omission). Prints throughput and the latency distribution from HdrHistogram.
 * <pre>
 *   LoadGenerator --url http://127.0.0.1:8080/users/me --header "authorization: Bearer T"
 *                 [--method GET] [--body JSON] [--connections 64] [--duration 20] [--warmup 5] [--rate 0]
 * </pre>
 */
public final class LoadGenerator {

  public record Result(long requests, long errors, double seconds, Histogram latencyMicros) {
    public double throughput() {
      return requests / seconds;
    }

    public String summary(String label) {
      return String.format("%s: %.0f req/s, %d requests, %d errors, latency p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms",
        label, throughput(), requests, errors, latencyMicros.getValueAtPercentile(50) / 1000.0,
        latencyMicros.getValueAtPercentile(99) / 1000.0, latencyMicros.getValueAtPercentile(99.9) / 1000.0,
        latencyMicros.getMaxValue() / 1000.0);
    }
  }

  private final Vertx vertx;
  private final URI url;
  private final HttpMethod method;
  private final Map<String, String> headers;
  private final Buffer body;
  private final int connections;

  public LoadGenerator(Vertx vertx, String url, String method, Map<String, String> headers, String body, int connections) {
    this.vertx = vertx;
    this.url = URI.create(url);
    this.method = HttpMethod.valueOf(method);
    this.headers = headers;
    this.body = body == null ? null : Buffer.buffer(body);
    this.connections = connections;
  }

  public Result run(double seconds, double ratePerSecond) throws InterruptedException {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
      new PoolOptions().setHttp1MaxSize(connections));
    try {
      return ratePerSecond > 0 ? openLoop(client, seconds, ratePerSecond) : closedLoop(client, seconds);
    } finally {
      client.close();
    }
  }

  private RequestOptions options() {
    RequestOptions o = new RequestOptions().setMethod(method).setHost(url.getHost()).setPort(url.getPort())
      .setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    headers.forEach(o::putHeader);
    if (body != null) {
      o.putHeader("content-type", "application/json");
    }
    return o;
  }

  private void send(HttpClient client, long startNanos, Histogram histogram, AtomicLong done, AtomicLong errors,
                    Runnable next) {
    client.request(options())
      .compose(req -> body == null ? req.send() : req.send(body))
      .compose(resp -> resp.body().map(b -> resp.statusCode()))
      .onComplete(ar -> {
        long micros = (System.nanoTime() - startNanos) / 1000;
        synchronized (histogram) {
          histogram.recordValue(Math.max(1, micros));
        }
        if (ar.failed() || ar.result() >= 400) {
          errors.incrementAndGet();
        }
        done.incrementAndGet();
        next.run();
      });
  }

  private Result closedLoop(HttpClient client, double seconds) throws InterruptedException {
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    CountDownLatch finished = new CountDownLatch(connections);
    for (int i = 0; i < connections; i++) {
      vertx.runOnContext(v -> loop(client, end, h, done, errors, finished));
    }
    finished.await((long) seconds + 60, TimeUnit.SECONDS);
    return new Result(done.get(), errors.get(), (System.nanoTime() - start) / 1e9, h);
  }

  private void loop(HttpClient client, long end, Histogram h, AtomicLong done, AtomicLong errors, CountDownLatch finished) {
    if (System.nanoTime() >= end) {
      finished.countDown();
      return;
    }
    send(client, System.nanoTime(), h, done, errors, () -> loop(client, end, h, done, errors, finished));
  }

  private Result openLoop(HttpClient client, double seconds, double rate) throws InterruptedException {
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long total = (long) (seconds * rate);
    long intervalNanos = (long) (1e9 / rate);
    long start = System.nanoTime();
    CountDownLatch finished = new CountDownLatch(1);
    AtomicLong issued = new AtomicLong();
    // a 1 ms tick issues every request whose intended time has come, stamped with that intended time
    long timer = vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (issued.get() < total) {
        long intended = start + issued.get() * intervalNanos;
        if (intended > now) {
          break;
        }
        issued.incrementAndGet();
        send(client, intended, h, done, errors, () -> {
          if (done.get() == total) {
            finished.countDown();
          }
        });
      }
    });
    finished.await((long) seconds + 60, TimeUnit.SECONDS);
    vertx.cancelTimer(timer);
    return new Result(done.get(), errors.get(), (System.nanoTime() - start) / 1e9, h);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--header")) {
        String[] kv = args[i + 1].split(":", 2);
        headers.put(kv[0].trim(), kv[1].trim());
      } else {
        opts.put(args[i].substring(2), args[i + 1]);
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      LoadGenerator gen = new LoadGenerator(vertx, opts.get("url"), opts.getOrDefault("method", "GET"), headers,
        opts.get("body"), Integer.parseInt(opts.getOrDefault("connections", "64")));
      double rate = Double.parseDouble(opts.getOrDefault("rate", "0"));
      gen.run(Double.parseDouble(opts.getOrDefault("warmup", "5")), rate);
      Result r = gen.run(Double.parseDouble(opts.getOrDefault("duration", "20")), rate);
      System.out.println(r.summary(opts.getOrDefault("label", opts.get("url"))));
    } finally {
      vertx.close();
    }
  }
}
