package dev.chrysalis.forge.bench;

import dev.chrysalis.forge.store.Pools;
import dev.chrysalis.forge.testing.PlaintextKeys;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.vault.VaultBenchSupport;
import dev.chrysalis.forge.vault.VaultCrypto;
import dev.chrysalis.forge.vault.VaultService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The vault's hot path: AES-256-GCM encrypt and decrypt of a provider key (with its associated
 * data), and resolution of a personal key with the row already cached, called directly on the
 * service object and through the local event bus (what the gateway pays). Run with
 * {@code scripts/bench-jmh VaultBench}.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "-DCHRYSALIS_LOG_LEVEL=WARN")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VaultBench {

  private VaultCrypto crypto;
  private String aad;
  private String plaintext;
  private String sealed;
  private TestApp app;
  private Pool pool;
  private VaultBenchSupport direct;
  private VaultService overBus;
  private JsonObject request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    crypto = VaultCrypto.of(Map.of(1, key), 1);
    aad = VaultCrypto.aad("user", "usr_0123456789abcdefghij", "openai", "pk_0123456789abcdefghij");
    plaintext = "sk-proj-" + "x".repeat(156); // the length of a current OpenAI project key
    sealed = crypto.encrypt(plaintext, aad);

    app = TestApp.start(Map.of());
    Users.Registered user = Users.register(app.api());
    app.api().call("addProviderKey").bearer(user.token())
      .body(new JsonObject().put("provider", "openai").put("api_key", PlaintextKeys.fresh("sk-"))).send().expect(201);
    request = new JsonObject().put("user_id", user.id()).put("provider", "openai");
    pool = Pools.shared(app.vertx(), app.app().config());
    direct = new VaultBenchSupport(app.vertx(), app.app().config(), pool);
    direct.resolve(request).await(30, TimeUnit.SECONDS); // loads the row into the cache
    overBus = VaultService.createProxy(app.vertx());
    overBus.resolve(request).await(30, TimeUnit.SECONDS);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
    app.close();
  }

  @Benchmark
  public String encrypt() {
    return crypto.encrypt(plaintext, aad);
  }

  @Benchmark
  public String decrypt() {
    return crypto.decrypt(sealed, aad);
  }

  @Benchmark
  public JsonObject resolveCachedDirect() {
    Future<JsonObject> f = direct.resolve(request);
    if (!f.succeeded()) {
      throw new IllegalStateException("cached resolution did not complete synchronously");
    }
    return f.result();
  }

  @Benchmark
  public JsonObject resolveCachedOverLocalBus() throws Exception {
    return overBus.resolve(request).await(10, TimeUnit.SECONDS);
  }
}
