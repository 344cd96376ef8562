package dev.chrysalis.forge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
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
 * A closed-loop load generator (as wrk): {@code connections} clients, each sending its next
 * request when the previous answer has been read to the end. Records the latency to the first
 * body byte and to the end of every 200 answer; anything else counts as an error.
 */
final class ClosedLoop {

  record Result(String label, long ok, long errors, double seconds, Histogram firstByte, Histogram whole) {

    double perSecond() {
      return ok / seconds;
    }

    double p50() {
      return whole.getValueAtPercentile(50) / 1000.0;
    }

    double p99() {
      return whole.getValueAtPercentile(99) / 1000.0;
    }

    double firstByteP50() {
      return firstByte.getValueAtPercentile(50) / 1000.0;
    }

    double firstByteP99() {
      return firstByte.getValueAtPercentile(99) / 1000.0;
    }

    double max() {
      return whole.getMaxValue() / 1000.0;
    }

    String summary() {
      return String.format("%-34s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  first byte p50 %7.3f ms  p99 %7.3f ms  (%d ok, %d errors)",
        label, perSecond(), p50(), p99(), firstByteP50(), firstByteP99(), ok, errors);
    }
  }

  private final Vertx vertx;
  private final String url;
  private final Map<String, String> headers;
  private final String body;

  ClosedLoop(Vertx vertx, String url, Map<String, String> headers, String body) {
    this.vertx = vertx;
    this.url = url;
    this.headers = headers;
    this.body = body;
  }

  Result run(String label, int connections, double seconds) throws InterruptedException {
    return run(label, connections, seconds, Long.MAX_VALUE);
  }

  /** One connection until {@code calls} answers have come back (or 120 s have passed). */
  Result calls(String label, long calls) throws InterruptedException {
    return run(label, 1, 120, calls);
  }

  private Result run(String label, int connections, double seconds, long maxCalls) throws InterruptedException {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
      new PoolOptions().setHttp1MaxSize(connections));
    Histogram firstByte = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    Histogram whole = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    CountDownLatch finished = new CountDownLatch(connections);
    RequestOptions options = options();
    for (int i = 0; i < connections; i++) {
      vertx.runOnContext(v -> next(client, options, end, maxCalls, firstByte, whole, ok, errors, finished));
    }
    finished.await((long) seconds + 120, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    client.close();
    return new Result(label, ok.get(), errors.get(), elapsed, firstByte, whole);
  }

  private void next(HttpClient client, RequestOptions options, long end, long maxCalls, Histogram firstByte,
                    Histogram whole, AtomicLong ok, AtomicLong errors, CountDownLatch finished) {
    if (System.nanoTime() >= end || ok.get() + errors.get() >= maxCalls) {
      finished.countDown();
      return;
    }
    long sent = System.nanoTime();
    client.request(options).compose(req -> req.send(body)).onComplete(ar -> {
      if (ar.failed()) {
        errors.incrementAndGet();
        next(client, options, end, maxCalls, firstByte, whole, ok, errors, finished);
        return;
      }
      HttpClientResponse res = ar.result();
      boolean[] first = {true};
      res.handler(buf -> {
        if (first[0]) {
          first[0] = false;
          record(firstByte, sent);
        }
      });
      res.exceptionHandler(t -> { });
      res.endHandler(v -> {
        if (res.statusCode() == 200) {
          record(whole, sent);
          ok.incrementAndGet();
        } else {
          errors.incrementAndGet();
        }
        next(client, options, end, maxCalls, firstByte, whole, ok, errors, finished);
      });
    });
  }

  private static void record(Histogram h, long sent) {
    synchronized (h) {
      h.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
    }
  }

  private RequestOptions options() {
    URI u = URI.create(url);
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost(u.getHost()).setPort(u.getPort())
      .setURI(u.getRawPath()).putHeader("content-type", "application/json");
    headers.forEach(o::putHeader);
    return o;
  }
}
