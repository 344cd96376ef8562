package dev.chrysalis.forge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway benchmark: the same load sent straight to the fake upstream and through the
 * service, open loop (latency from each request's intended start time, so queueing is not
 * hidden). Non-streamed: throughput and p50/p99/p99.9. Streamed: time to first byte and to the
 * end. Then N concurrent slow streams through the service ({@code --concurrent-only}: just those, as
 * {@code scripts/bench} runs them after {@link PassThroughBench}); {@code scripts/bench-open} runs it all.
 */
public final class GatewayBench {

  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
    + "{\"role\":\"user\",\"content\":\"Say hello to the benchmark, please, in one sentence.\"}]}";

  public static void main(String[] args) throws Exception {
    String upstream = BenchUpstream.arg(args, "--upstream", "http://127.0.0.1:18940/v1");
    String service = BenchUpstream.arg(args, "--service", "http://127.0.0.1:18941/v1");
    String key = BenchUpstream.arg(args, "--key", "");
    double rate = Double.parseDouble(BenchUpstream.arg(args, "--rate", "1000"));
    double seconds = Double.parseDouble(BenchUpstream.arg(args, "--duration", "20"));
    double streamRate = Double.parseDouble(BenchUpstream.arg(args, "--stream-rate", "200"));
    int streams = Integer.parseInt(BenchUpstream.arg(args, "--streams", "1000"));
    String marker = BenchUpstream.arg(args, "--marker", "");
    java.util.List<String> flags = java.util.Arrays.asList(args);
    boolean h2c = flags.contains("--h2c");
    // long enough for the JIT to finish with the service's hot path before anything is measured
    double warmup = Double.parseDouble(BenchUpstream.arg(args, "--warmup", "20"));
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, String> auth = Map.of("authorization", "Bearer " + key);
      Map<String, String> upstreamAuth = Map.of("authorization", "Bearer sk-bench");
      String streamBody = BODY.replace("\"messages\"", "\"stream\":true,\"messages\"");
      if (flags.contains("--concurrent-only")) {
        System.out.println(concurrent(vertx, service + "/chat/completions", auth,
          streamBody.replace("gpt-4o-mini", "openai/gpt-drip"), streams, marker, h2c));
        return;
      }
      for (String[] target : new String[][]{{"direct", upstream}, {"gateway", service}}) {
        LoadGenerator gen = new LoadGenerator(vertx, target[1] + "/chat/completions", "POST",
          target[0].equals("direct") ? upstreamAuth : auth, BODY, 256);
        gen.run(warmup, rate);
        System.out.println(gen.run(seconds, rate).summary("non-streamed " + target[0] + " @" + (int) rate + "/s"));
      }
      for (String[] target : new String[][]{{"direct", upstream}, {"gateway", service}}) {
        Map<String, String> h = target[0].equals("direct") ? upstreamAuth : auth;
        streamRun(vertx, target[1] + "/chat/completions", h, streamBody, Math.min(warmup, 10), streamRate);
        System.out.println(streamRun(vertx, target[1] + "/chat/completions", h, streamBody, seconds, streamRate)
          .replace("%s", "streamed " + target[0] + " @" + (int) streamRate + "/s"));
      }
      System.out.println(concurrent(vertx, service + "/chat/completions", auth,
        streamBody.replace("gpt-4o-mini", "openai/gpt-drip"), streams, marker, h2c));
    } finally {
      vertx.close();
    }
  }

  /** Open-loop streams: time to the first body byte and to the end, from the intended start. */
  static String streamRun(Vertx vertx, String url, Map<String, String> headers, String body, double seconds,
                          double rate) throws InterruptedException {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
      new PoolOptions().setHttp1MaxSize(256));
    Histogram ttfb = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long count = (long) (seconds * rate);
    long interval = (long) (1e9 / rate);
    long start = System.nanoTime();
    AtomicLong issued = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(1);
    long timer = vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (issued.get() < count) {
        long intended = start + issued.get() * interval;
        if (intended > now) {
          break;
        }
        issued.incrementAndGet();
        boolean[] first = {true};
        client.request(options(url, headers)).compose(req -> req.send(body)).onComplete(ar -> {
          if (ar.failed() || ar.result().statusCode() != 200) {
            errors.incrementAndGet();
            if (done.incrementAndGet() == count) {
              finished.countDown();
            }
            if (ar.succeeded()) {
              ar.result().body();
            }
            return;
          }
          ar.result().handler(buf -> {
            if (first[0]) {
              first[0] = false;
              synchronized (ttfb) {
                ttfb.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
              }
            }
          });
          ar.result().endHandler(v -> {
            synchronized (total) {
              total.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
            }
            if (done.incrementAndGet() == count) {
              finished.countDown();
            }
          });
        });
      }
    });
    finished.await((long) seconds + 60, TimeUnit.SECONDS);
    vertx.cancelTimer(timer);
    client.close();
    return String.format("%%s: %d streams, %d errors, first byte p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; "
        + "whole stream p50 %.3f ms, p99 %.3f ms", done.get(), errors.get(),
      ttfb.getValueAtPercentile(50) / 1000.0, ttfb.getValueAtPercentile(99) / 1000.0,
      ttfb.getValueAtPercentile(99.9) / 1000.0, total.getValueAtPercentile(50) / 1000.0,
      total.getValueAtPercentile(99) / 1000.0);
  }

  /** Opens n slow streams at once and waits until every one has ended. */
  static String concurrent(Vertx vertx, String url, Map<String, String> headers, String body, int n, String marker,
                           boolean h2c) throws InterruptedException {
    // over h2c, streams share connections (100 each, the service's limit per connection), so the
    // service holds one socket per stream (its upstream) instead of two
    HttpClient client = h2c
      ? vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false).setHttp2MultiplexingLimit(100),
        new PoolOptions().setHttp2MaxSize(n / 100 + 10))
      : vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(n + 10));
    CountDownLatch finished = new CountDownLatch(n);
    AtomicLong ok = new AtomicLong();
    AtomicLong open = new AtomicLong();
    AtomicLong maxOpen = new AtomicLong();
    java.util.Map<String, Integer> refused = new java.util.concurrent.ConcurrentSkipListMap<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      client.request(options(url, headers)).compose(req -> req.send(body)).onComplete(ar -> {
        if (ar.failed() || ar.result().statusCode() != 200) {
          refused.merge(ar.failed() ? ar.cause().getClass().getSimpleName() : String.valueOf(ar.result().statusCode()),
            1, Integer::sum);
          finished.countDown();
          return;
        }
        if (maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max) == n && !marker.isEmpty()) {
          // tells scripts/bench to read the service's heap while every stream is open
          vertx.fileSystem().writeFile(marker, io.vertx.core.buffer.Buffer.buffer("open"));
        }
        ar.result().body().onComplete(b -> {
          open.decrementAndGet();
          if (b.succeeded() && b.result().toString().endsWith("data: [DONE]\n\n")) {
            ok.incrementAndGet();
          }
          finished.countDown();
        });
      });
    }
    finished.await(300, TimeUnit.SECONDS);
    client.close();
    return String.format("concurrent streams (%s): %d opened, %d at once, %d completed with [DONE] in %.1f s; not started: %s",
      h2c ? "h2c, 100 per connection" : "HTTP/1.1, one connection each", n, maxOpen.get(), ok.get(),
      (System.nanoTime() - start) / 1e9, refused.isEmpty() ? "none" : refused);
  }

  private static RequestOptions options(String url, Map<String, String> headers) {
    URI u = URI.create(url);
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost(u.getHost()).setPort(u.getPort())
      .setURI(u.getRawPath()).putHeader("content-type", "application/json");
    headers.forEach(o::putHeader);
    return o;
  }
}
