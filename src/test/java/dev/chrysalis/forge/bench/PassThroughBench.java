package dev.chrysalis.forge.bench;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The closed-loop comparison of {@code scripts/bench}: the same one-message chat sent straight to
 * the fake upstream, through the bare pass-through and through the service, each target warmed
 * first, then measured at 1 connection, at 16 connections and for streams at 1 connection. Prints
 * every figure and the service's ratio to the bare pass-through.
 */
public final class PassThroughBench {

  static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
    + "{\"role\":\"user\",\"content\":\"Say hello to the benchmark, please, in one sentence.\"}]}";

  public static void main(String[] args) throws Exception {
    String upstream = BenchUpstream.arg(args, "--upstream", "http://127.0.0.1:18940/v1");
    String bare = BenchUpstream.arg(args, "--bare", "http://127.0.0.1:18942/v1");
    String service = BenchUpstream.arg(args, "--service", "http://127.0.0.1:18941/v1");
    String key = BenchUpstream.arg(args, "--key", "");
    double seconds = Double.parseDouble(BenchUpstream.arg(args, "--duration", "20"));
    double warmup = Double.parseDouble(BenchUpstream.arg(args, "--warmup", "30"));
    int many = Integer.parseInt(BenchUpstream.arg(args, "--connections", "16"));
    String streamBody = BODY.replace("\"messages\"", "\"stream\":true,\"messages\"");
    Map<String, String> upstreamAuth = Map.of("authorization", "Bearer sk-bench");
    Map<String, String> serviceAuth = Map.of("authorization", "Bearer " + key);
    Vertx vertx = Vertx.vertx();
    try {
      List<ClosedLoop.Result[]> results = new ArrayList<>();
      String[][] targets = {{"direct", upstream}, {"bare pass-through", bare}, {"service", service}};
      for (String[] t : targets) {
        Map<String, String> auth = t[0].equals("service") ? serviceAuth : upstreamAuth;
        ClosedLoop plain = new ClosedLoop(vertx, t[1] + "/chat/completions", auth, BODY);
        ClosedLoop streamed = new ClosedLoop(vertx, t[1] + "/chat/completions", auth, streamBody);
        if (t[0].equals("service")) {
          // the first calls after "listening": lazy initialisation shows here as outliers
          ClosedLoop.Result cold = plain.calls("service first 1,000 calls (cold)", 1000);
          System.out.println(cold.summary() + String.format("  max %.3f ms", cold.max()));
        }
        System.out.println(plain.run(t[0] + " warm-up", many, warmup).summary());
        System.out.println(streamed.run(t[0] + " warm-up streams", many, Math.min(warmup, 10)).summary());
        ClosedLoop.Result one = plain.run(t[0] + " 1 connection", 1, seconds);
        ClosedLoop.Result sixteen = plain.run(t[0] + " " + many + " connections", many, seconds);
        ClosedLoop.Result stream = streamed.run(t[0] + " streams, 1 connection", 1, seconds);
        System.out.println(one.summary());
        System.out.println(sixteen.summary());
        System.out.println(stream.summary());
        results.add(new ClosedLoop.Result[] {one, sixteen, stream});
      }
      ClosedLoop.Result[] d = results.get(0);
      ClosedLoop.Result[] b = results.get(1);
      ClosedLoop.Result[] s = results.get(2);
      System.out.println();
      System.out.printf("%d connections: service %.0f req/s = %.0f%% of the bare pass-through (%.0f req/s; direct %.0f)%n",
        many, s[1].perSecond(), 100 * s[1].perSecond() / b[1].perSecond(), b[1].perSecond(), d[1].perSecond());
      System.out.printf("1 connection, added over direct: service p50 +%.3f ms, p99 +%.3f ms; bare p50 +%.3f ms, p99 +%.3f ms%n",
        s[0].p50() - d[0].p50(), s[0].p99() - d[0].p99(), b[0].p50() - d[0].p50(), b[0].p99() - d[0].p99());
      System.out.printf("streams, added time to first byte over direct: service p50 +%.3f ms, p99 +%.3f ms; bare p50 +%.3f ms%n",
        s[2].firstByteP50() - d[2].firstByteP50(), s[2].firstByteP99() - d[2].firstByteP99(),
        b[2].firstByteP50() - d[2].firstByteP50());
    } finally {
      vertx.close();
    }
  }
}
