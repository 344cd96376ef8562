package dev.chrysalis.forge.bench;

import dev.chrysalis.forge.gateway.ConcurrentCalls;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.text.EmailAddress;
import dev.chrysalis.forge.text.VisibleText;
import io.vertx.core.Vertx;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the abuse defences of issue 17 cost per request, beside what they replaced:
 * <ul>
 *   <li>§1: the contract's email pattern on the attack input ("a@" + 16,000 dots + "@") against the
 *   old quadratic pattern on shorter inputs of the same shape;</li>
 *   <li>§4: taking and giving back a concurrent-call slot;</li>
 *   <li>§6: the email rule (trim, NFKC, case fold, hidden characters, mixed scripts) and the
 *   hidden-character check of a 200-character name;</li>
 *   <li>§7: what a per-user cap adds to creating a project in PostgreSQL (transaction, advisory
 *   lock and the owner's count, the owner holding 500 projects among 20,000), against a bare insert.</li>
 * </ul>
 * Run with {@code scripts/bench-jmh AbuseDefenceBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AbuseDefenceBench {

  private static final String OLD_EMAIL = "^\\s*[^\\s@]+@[^\\s@]+\\.[^\\s@]+\\s*$";

  @State(Scope.Thread)
  public static class Text {
    Pattern contractEmail;
    Pattern oldEmail;
    String attack;
    String attack1000;
    String attack2000;
    String email;
    String name;
    Vertx vertx;
    ConcurrentCalls calls;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      String contract = Files.readString(Path.of("openapi", "forge.yaml"));
      // the Email schema's pattern, read from the contract (the only pattern there holding '@')
      Matcher m = Pattern.compile("pattern: \"((?:[^\"\\\\]|\\\\.)*@(?:[^\"\\\\]|\\\\.)*)\"").matcher(contract);
      if (!m.find()) {
        throw new IllegalStateException("no email pattern in the contract");
      }
      contractEmail = Pattern.compile(m.group(1).replace("\\\\", "\\"));
      oldEmail = Pattern.compile(OLD_EMAIL);
      attack = "a@" + ".".repeat(16_000) + "@";
      attack1000 = "a@" + ".".repeat(1_000) + "@";
      attack2000 = "a@" + ".".repeat(2_000) + "@";
      email = "  Carol.Example-Name@Example.COM\u00a0";
      name = ("Acme Research Café 日本 " + "project name ").repeat(8).substring(0, 200);
      vertx = Vertx.vertx();
      calls = ConcurrentCalls.of(vertx);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Benchmark
  public boolean contractEmailPatternAttack16000(Text t) {
    return t.contractEmail.matcher(t.attack).matches();
  }

  @Benchmark
  public boolean oldEmailPatternAttack1000(Text t) {
    return t.oldEmail.matcher(t.attack1000).matches();
  }

  @Benchmark
  public boolean oldEmailPatternAttack2000(Text t) {
    return t.oldEmail.matcher(t.attack2000).matches();
  }

  @Benchmark
  public String emailRule(Text t) {
    return EmailAddress.normalize(t.email);
  }

  @Benchmark
  public boolean nameHiddenCheck200(Text t) {
    return VisibleText.hasHidden(t.name);
  }

  @Benchmark
  public boolean concurrentCallSlot(Text t) {
    boolean taken = t.calls.tryAcquire("usr_bench", 4);
    t.calls.release("usr_bench");
    return taken;
  }

  @State(Scope.Benchmark)
  public static class Database {
    TestApp app;
    Connection connection;
    String owner;
    final AtomicLong next = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      app = TestApp.start(Map.of());
      Api api = app.api();
      owner = Users.register(api).id();
      String others = Users.register(api).id();
      connection = TestDatabase.connect(app.databaseUrl());
      try (Statement st = connection.createStatement()) {
        st.execute("INSERT INTO projects (id, owner_id, name, slug) SELECT 'prj_o' || g, '" + others
          + "', 'p', 'o' || g FROM generate_series(1, 19500) g");
        st.execute("INSERT INTO projects (id, owner_id, name, slug) SELECT 'prj_b' || g, '" + owner
          + "', 'p', 'b' || g FROM generate_series(1, 500) g");
        st.execute("ANALYZE projects");
      }
    }

    /** Back to the owner's 500 projects, so every iteration counts the same. */
    @Setup(Level.Iteration)
    public void trim() throws Exception {
      try (Statement st = connection.createStatement()) {
        st.execute("DELETE FROM projects WHERE id LIKE 'prj_x%' OR id LIKE 'prj_y%'");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      connection.close();
      app.close();
    }
  }

  /** The insert alone, as without a cap. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int projectInsertBare(Database d) throws Exception {
    long n = d.next.incrementAndGet();
    d.connection.setAutoCommit(true);
    try (PreparedStatement ps = d.connection.prepareStatement(
      "INSERT INTO projects (id, owner_id, name, slug) VALUES (?, ?, 'p', ?)")) {
      ps.setString(1, "prj_x" + n);
      ps.setString(2, d.owner);
      ps.setString(3, "x" + n);
      return ps.executeUpdate();
    }
  }

  /** What ProjectStore.insert runs: the cap's lock and the counted insert in one transaction. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int projectInsertCapped(Database d) throws Exception {
    long n = d.next.incrementAndGet();
    d.connection.setAutoCommit(false);
    try (PreparedStatement lock = d.connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))");
         PreparedStatement ps = d.connection.prepareStatement(
           "INSERT INTO projects (id, owner_id, name, slug) SELECT ?, ?, 'p', ? "
             + "WHERE (SELECT count(*) FROM projects WHERE owner_id = ?) < ?")) {
      lock.setString(1, "forge.cap.projects");
      lock.setString(2, d.owner);
      lock.execute();
      ps.setString(1, "prj_y" + n);
      ps.setString(2, d.owner);
      ps.setString(3, "y" + n);
      ps.setString(4, d.owner);
      ps.setInt(5, Integer.MAX_VALUE);
      int rows = ps.executeUpdate();
      d.connection.commit();
      return rows;
    } finally {
      d.connection.setAutoCommit(true);
    }
  }
}
