package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One clustered service node as its own process (the real {@code Main}), so a test can send it a
 * real SIGTERM ({@link #sigterm}: the JVM's shutdown hook runs) or SIGKILL ({@link #sigkill}).
 * Its output goes to a log file that failure messages quote.
 */
final class NodeProcess implements AutoCloseable {

  final int httpPort;
  final Api api;
  /** Its CHRYSALIS_DATA_DIR (development mail lands in {@code mail/} there). */
  final Path dataDir;
  private final Process process;
  private final Path log;

  private NodeProcess(Process process, int httpPort, Path log, Path dataDir) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
    this.dataDir = dataDir;
    this.api = new Api("http://127.0.0.1:" + httpPort);
  }

  /** Node {@code i} of {@code nodes}, sharing the database and Redis, with extra environment on top. */
  static NodeProcess start(ClusterNodes nodes, int i, String db, String redisUrl, String... extraEnv) throws IOException {
    int httpPort = ClusterNodes.freePort();
    Map<String, String> env = TestApp.baseEnv();
    env.putAll(nodes.env(i, db, redisUrl));
    env.put("CHRYSALIS_PORT", String.valueOf(httpPort));
    env.put("CHRYSALIS_HTTP_INSTANCES", "1");
    Path dataDir = Files.createTempDirectory("forge-node");
    env.put("CHRYSALIS_DATA_DIR", dataDir.toString());
    env.put("CHRYSALIS_CLUSTER_LEAVE_DRAIN_MS", "200");
    env.putAll(TestApp.env(extraEnv));
    Path log = Files.createTempFile("forge-node-" + i + "-", ".log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-Dhazelcast.wait.seconds.before.join=0", "-cp", System.getProperty("java.class.path"),
      "dev.chrysalis.forge.Main")
      .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new NodeProcess(pb.start(), httpPort, log, dataDir);
  }

  /** Waits until this node is ready and sees {@code members} cluster members. */
  NodeProcess awaitMembers(int members) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("node on port " + httpPort + " exited during start-up:\n" + logTail());
      }
      try {
        Api.Resp r = api.raw("GET", "/health/ready").send();
        if (r.status() == 200
          && r.json().getJsonObject("checks").getJsonObject("cluster").getInteger("members") == members) {
          return this;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node on port " + httpPort + " did not become ready with " + members + " members:\n"
      + logTail());
  }

  /** SIGTERM: the graceful path (shutdown hook). */
  void sigterm() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook, sockets reset by the kernel. */
  void sigkill() {
    process.destroyForcibly();
  }

  boolean exited(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Whether a new TCP connection to the HTTP port is accepted right now. */
  boolean acceptsConnections() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", httpPort), 1_000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  String logTail() {
    try {
      String text = Files.readString(log);
      return text.length() > 6_000 ? text.substring(text.length() - 6_000) : text;
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
