package dev.chrysalis.forge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, owned by one test: started, stopped
 * (killed, to simulate an outage) and started again on the same port. Never the machine's 6379.
 * The binary is {@code redis-server} from PATH, or (on a machine without one, or when
 * {@code CHRYSALIS_TEST_REDIS_SERVER=embedded}) the Redis 6.2 binary bundled in embedded-redis.
 */
public final class RedisProcess implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private RedisProcess(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  public static RedisProcess start() {
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      RedisProcess r = new RedisProcess(port, Files.createTempDirectory("forge-test-redis"));
      r.startAgain();
      return r;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public synchronized void startAgain() {
    if (process != null && process.isAlive()) {
      return;
    }
    try {
      process = new ProcessBuilder(binary(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
        }
        if ("+PONG".equals(command("PING"))) {
          return;
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("redis-server did not answer on port " + port);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
    }
  }

  private static String binary() throws IOException {
    String forced = System.getenv("CHRYSALIS_TEST_REDIS_SERVER");
    if (forced != null && !forced.isBlank() && !forced.equals("embedded")) {
      return forced;
    }
    if (forced == null || forced.isBlank()) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(dir, "redis-server");
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return embeddedBinary();
  }

  private static synchronized String embeddedBinary() throws IOException {
    String arch = System.getProperty("os.arch");
    String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
    String name = os.contains("mac")
      ? (arch.contains("aarch64") ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64")
      : (arch.contains("aarch64") ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64");
    Path target = Path.of(System.getProperty("java.io.tmpdir"), "forge-test-" + name);
    if (!Files.isExecutable(target)) {
      try (InputStream in = RedisProcess.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("no redis-server on PATH and no bundled " + name);
        }
        Path tmp = Files.createTempFile("forge-test-redis", ".bin");
        Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        tmp.toFile().setExecutable(true);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    }
    return target.toString();
  }

  /** Kills the server (SIGKILL): connections drop, nothing is flushed, the port closes. */
  public synchronized void kill() {
    if (process != null) {
      if (process.isAlive()) {
        signalQuietly("CONT");   // a paused server must be able to die
      }
      process.destroyForcibly();
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered until {@link #resume}. */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Lets a paused server run again (SIGCONT); what was sent meanwhile is then answered. */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signalQuietly(String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor(20, TimeUnit.SECONDS);
    } catch (IOException e) {
      // SIGKILL follows anyway
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void signal(String name) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("redis-server is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(20, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot signal redis-server: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends one inline command and returns the first reply line, or null when nothing answers. */
  public String command(String inline) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(2_000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\r') {
        sb.append((char) c);
      }
      return sb.toString();
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
