package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.outbound.BaseUrlGuard;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * Builds the vault's real service object for the JMH benchmarks in {@code dev.chrysalis.forge.bench}
 * (the implementation is package-private): real store on a real database, real crypto, no HTTP.
 */
public final class VaultBenchSupport {

  private final VaultServiceImpl impl;

  public VaultBenchSupport(Vertx vertx, JsonObject appConfig, Pool pool) {
    VaultConfig config = VaultConfig.from(appConfig);
    impl = new VaultServiceImpl(vertx, config, new ProviderKeyStore(pool),
      (userId, orgId) -> Future.succeededFuture(null), new BaseUrlGuard(vertx, true),
      new ProviderProbe(vertx, vertx.createHttpClient(), config.validationTimeoutMs()));
  }

  public Future<JsonObject> resolve(JsonObject request) {
    return impl.resolve(request);
  }
}
