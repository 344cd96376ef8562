package dev.chrysalis.forge.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the service's CPU goes, from a JDK Flight Recorder file ({@code scripts/bench} with
 * {@code BENCH_SERVICE_JAVA_OPTS=-XX:StartFlightRecording=...}): the execution samples of the
 * threads whose name starts with {@code --threads} (default: the event loops), each counted once
 * in every part its stack passes through (inclusive shares, so they add up to more than 100 %),
 * then the methods most often on top of the stack (self time).
 * <p>
 * Parts are matched by the frame's class name, first match wins per part; the list is ordered
 * from our own code to the libraries it calls, so "gateway" holds the time of the upstream
 * exchange the gateway started too. JFR samples only threads running Java code, so time in
 * syscalls shows up under the Java frame that made them.
 * Usage: ProfileShares file.jfr [--threads vert.x-eventloop-thread] [--top 25]
 */
public final class ProfileShares {

  private static final Map<String, List<String>> PARTS = new LinkedHashMap<>();

  static {
    PARTS.put("event bus (send, dispatch, reply, codecs)", List.of("io.vertx.core.eventbus.", "io.vertx.core.impl.EventBus"));
    PARTS.put("auth (API key, JWT, session state)", List.of("dev.chrysalis.forge.auth.", "dev.chrysalis.forge.http.ForgeAuthProvider", "dev.chrysalis.forge.http.SessionCheck"));
    PARTS.put("rate limit", List.of("dev.chrysalis.forge.ratelimit.", "dev.chrysalis.forge.http.RateLimitCheck"));
    PARTS.put("billing (admission, usage)", List.of("dev.chrysalis.forge.billing."));
    PARTS.put("vault", List.of("dev.chrysalis.forge.vault."));
    PARTS.put("gateway (routing, upstream exchange, answer)", List.of("dev.chrysalis.forge.gateway."));
    PARTS.put("HTTP intake (body, text checks, router glue)", List.of("dev.chrysalis.forge.http."));
    PARTS.put("Vert.x Web router and handlers", List.of("io.vertx.ext.web."));
    PARTS.put("OpenAPI validation", List.of("io.vertx.openapi.", "io.vertx.json.schema."));
    PARTS.put("PostgreSQL client", List.of("io.vertx.pgclient.", "io.vertx.sqlclient."));
    PARTS.put("Redis client", List.of("io.vertx.redis."));
    PARTS.put("JSON (Jackson, JsonObject)", List.of("com.fasterxml.jackson.", "io.vertx.core.json."));
    PARTS.put("metrics (Micrometer)", List.of("io.micrometer.", "io.vertx.micrometer."));
    PARTS.put("logging", List.of("org.slf4j.", "ch.qos.logback.", "org.apache.logging."));
    PARTS.put("HTTP codec and connections (Vert.x core http)", List.of("io.vertx.core.http.", "io.vertx.core.net."));
    PARTS.put("Netty (channels, codecs, epoll)", List.of("io.netty."));
  }

  private static String innermostPart(RecordedStackTrace stack) {
    for (RecordedFrame frame : stack.getFrames()) {
      String type = frame.getMethod().getType().getName();
      for (var part : PARTS.entrySet()) {
        if (part.getValue().stream().anyMatch(type::startsWith)) {
          return part.getKey();
        }
      }
    }
    return "JDK only (no part on the stack)";
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String prefix = BenchUpstream.arg(args, "--threads", "vert.x-eventloop-thread");
    int top = Integer.parseInt(BenchUpstream.arg(args, "--top", "25"));
    Map<String, Integer> parts = new LinkedHashMap<>();
    PARTS.keySet().forEach(p -> parts.put(p, 0));
    Map<String, Integer> self = new TreeMap<>();
    Map<String, Integer> exclusive = new LinkedHashMap<>();
    Map<String, Integer> ours = new TreeMap<>();
    int samples = 0;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent event = recording.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        var thread = event.getThread("sampledThread");
        if (thread == null || thread.getJavaName() == null || !thread.getJavaName().startsWith(prefix)) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        Set<String> seen = new HashSet<>();
        for (RecordedFrame frame : stack.getFrames()) {
          String type = frame.getMethod().getType().getName();
          for (var part : PARTS.entrySet()) {
            if (!seen.contains(part.getKey()) && part.getValue().stream().anyMatch(type::startsWith)) {
              seen.add(part.getKey());
              parts.merge(part.getKey(), 1, Integer::sum);
            }
          }
        }
        exclusive.merge(innermostPart(stack), 1, Integer::sum);
        stack.getFrames().stream().map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
            .filter(name -> name.startsWith("dev.chrysalis.forge.")).findFirst()
            .ifPresent(name -> ours.merge(name, 1, Integer::sum));
        RecordedFrame first = stack.getFrames().get(0);
        self.merge(first.getMethod().getType().getName() + "." + first.getMethod().getName(), 1, Integer::sum);
      }
    }
    if (samples == 0) {
      System.out.println("no execution samples on threads named " + prefix + "* in " + file);
      return;
    }
    System.out.printf("%d execution samples on threads named %s*%n%n", samples, prefix);
    System.out.println("inclusive share (a sample counts once in every part its stack passes through):");
    final int total = samples;
    parts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> System.out.printf("  %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    System.out.println();
    System.out.println("exclusive share (a sample goes to the part of the innermost frame that belongs to one;");
    System.out.println("JDK frames count for the part that called them):");
    exclusive.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> System.out.printf("  %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    System.out.println();
    System.out.println("innermost method of ours on the stack (inclusive of what it calls in libraries):");
    ours.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
        .forEach(e -> System.out.printf("  %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    System.out.println();
    System.out.println("top of stack (self):");
    self.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
        .forEach(e -> System.out.printf("  %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
  }
}
