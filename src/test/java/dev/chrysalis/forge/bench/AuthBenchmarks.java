package dev.chrysalis.forge.bench;

import dev.chrysalis.forge.auth.AuthConfig;
import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.auth.JwtTokens;
import dev.chrysalis.forge.auth.SessionStates;
import dev.chrysalis.forge.auth.PasswordHasher;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Costs on the authentication path: JWT verification (in process), API-key verification through
 * the bus (cached, and uncached with the cache disabled so every check reads PostgreSQL), and one
 * PBKDF2 hash at the production policy. Run with scripts/bench-jmh Auth.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuthBenchmarks {

  @State(Scope.Benchmark)
  public static class Jwt {
    Vertx vertx;
    JwtTokens tokens;
    String token;
    SessionStates sessions;

    @Setup(Level.Trial)
    public void setUp() {
      vertx = Vertx.vertx();
      tokens = new JwtTokens(vertx, AuthConfig.from(new JsonObject().put("auth",
        new JsonObject().put("secret_key", TestApp.TEST_SECRET))));
      token = tokens.issue("usr_bench", "bench@example.test", 0);
      sessions = new SessionStates(vertx, 10_000, id -> Future.succeededFuture(new JsonObject().put("user_id", id)
        .put("session_version", 0L).put("status", "active")));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      vertx.close();
    }
  }

  /** A running service; one key checked with the cache on, one with the cache off. */
  @State(Scope.Benchmark)
  public static class Keys {
    TestApp cached;
    TestApp uncached;
    AuthService cachedAuth;
    AuthService uncachedAuth;
    String key;

    @Setup(Level.Trial)
    public void setUp() {
      cached = TestApp.start(TestApp.env());
      uncached = TestApp.start(TestApp.env("CHRYSALIS_DATABASE_URL", cached.databaseUrl(),
        "CHRYSALIS_API_KEY_CACHE_SIZE", "0"));
      key = Users.apiKey(cached.api(), Users.register(cached.api()), "*");
      cachedAuth = AuthService.createProxy(cached.vertx());
      uncachedAuth = AuthService.createProxy(uncached.vertx());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      uncached.close();
      cached.close();
    }
  }

  /** The session check every authenticated request runs after the JWT, on a cache hit. */
  @Benchmark
  public SessionStates.Verdict sessionCheckCached(Jwt s) throws Exception {
    return s.sessions.checkSession("usr_bench", 0).await();
  }

  @Benchmark
  public JsonObject jwtVerify(Jwt s) throws Exception {
    return s.tokens.verify(s.token).await();
  }

  @Benchmark
  public JsonObject apiKeyVerifyCached(Keys s) throws Exception {
    return s.cachedAuth.authenticateApiKey(s.key).await();
  }

  @Benchmark
  public JsonObject apiKeyVerifyUncached(Keys s) throws Exception {
    return s.uncachedAuth.authenticateApiKey(s.key).await();
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public String pbkdf2Hash600k() {
    return new PasswordHasher(PasswordHasher.DEFAULT_ITERATIONS).hash("correct horse battery staple");
  }
}
