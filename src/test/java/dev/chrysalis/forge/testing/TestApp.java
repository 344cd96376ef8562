package dev.chrysalis.forge.testing;

import dev.chrysalis.forge.ForgeApp;
import dev.chrysalis.forge.cluster.ForgeVertx;
import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.config.EnvOverrides;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real service on loopback for tests: conf/forge.yaml plus test settings (a fresh database,
 * a free port, fast password hashing) plus the overrides a test passes, as environment names.
 * {@link #shared()} is one instance for the whole test JVM; {@link #start(Map)} gives a test its
 * own (close it).
 */
public final class TestApp implements AutoCloseable {

  public static final String TEST_SECRET = "test-secret-key-0123456789abcdef-0123456789";
  private static TestApp shared;

  private final Vertx vertx;
  private final ForgeApp app;
  private final String databaseUrl;
  private final Path dataDir;
  private final Api api;

  private TestApp(Vertx vertx, ForgeApp app, String databaseUrl, Path dataDir) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.app = app;
    this.databaseUrl = databaseUrl;
    this.api = new Api(app.baseUrl());
  }

  public static synchronized TestApp shared() {
    if (shared == null) {
      // new users on the shared app get every feature, so tests of other concerns are not
      // gated; FeatureGateApiTest runs its own app on the default (free) plan
      shared = start(Map.of("CHRYSALIS_DEFAULT_PLAN", "enterprise"));
    }
    return shared;
  }

  /** Settings every test app gets unless overridden. */
  public static Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("CHRYSALIS_HOST", "127.0.0.1");
    env.put("CHRYSALIS_PORT", "0");
    env.put("CHRYSALIS_HTTP_INSTANCES", "2");
    env.put("CHRYSALIS_SECRET_KEY", TEST_SECRET);
    env.put("CHRYSALIS_PBKDF2_ITERATIONS", "1000");
    env.put("CHRYSALIS_SHUTDOWN_GRACE_SECONDS", "5");
    // rate limits out of the way of tests that are not about them (those set their own)
    env.put("CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "60000");
    // every test client shares 127.0.0.1, so the per-client connection cap is off (BodyIntakeApiTest sets its own)
    env.put("CHRYSALIS_MAX_CONNECTIONS_PER_CLIENT", "0");
    for (String tier : new String[] {"FREE", "PRO", "TEAM", "ENTERPRISE"}) {
      env.put("CHRYSALIS_RATE_" + tier + "_PER_MINUTE", "60000");
      env.put("CHRYSALIS_RATE_" + tier + "_PER_DAY", "0");
      // likewise concurrent calls per user (ConcurrentCallsApiTest sets its own)
      env.put("CHRYSALIS_LIMIT_" + tier + "_CONCURRENT_CALLS", "0");
    }
    return env;
  }

  public static TestApp start(Map<String, String> overrides) {
    try {
      Map<String, String> env = baseEnv();
      env.put("CHRYSALIS_DATA_DIR", Files.createTempDirectory("forge-test-data").toString());
      if (!overrides.containsKey("CHRYSALIS_DATABASE_URL")) {
        env.put("CHRYSALIS_DATABASE_URL", TestDatabase.freshDatabaseUrl());
      }
      env.putAll(overrides);
      JsonObject config = ConfigLoader.load(Map.of("CHRYSALIS_CONFIG", Path.of("conf", "forge.yaml").toString()));
      EnvOverrides.apply(config, env);
      // standalone or clustered, with metrics, as Main builds it
      Vertx vertx = ForgeVertx.create(config).await(120, TimeUnit.SECONDS);
      try {
        ForgeApp app = ForgeApp.start(vertx, config).await(120, TimeUnit.SECONDS);
        return new TestApp(vertx, app, env.get("CHRYSALIS_DATABASE_URL"), Path.of(env.get("CHRYSALIS_DATA_DIR")));
      } catch (Exception e) {
        vertx.close().await(30, TimeUnit.SECONDS);
        throw e;
      }
    } catch (Exception e) {
      throw new IllegalStateException("test app did not start: " + e.getMessage(), e);
    }
  }

  public Api api() {
    return api;
  }

  public ForgeApp app() {
    return app;
  }

  /** Where this app keeps its data; without an SMTP host its mails land in {@code mail/} below it. */
  public Path dataDir() {
    return dataDir;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The database URL this app runs on (empty when it runs on its own embedded server). */
  public String databaseUrl() {
    return databaseUrl;
  }

  @Override
  public void close() {
    try {
      app.stop().await(60, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort
    } finally {
      try {
        vertx.close().await(60, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  public static Map<String, String> env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }
}
