package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.config.EnvOverrides;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** In production a clustered node refuses a plaintext event bus unless the operator opts out explicitly. */
class ProductionBusTlsTest {

  private static JsonObject config(String... pairs) {
    JsonObject config = ConfigLoader.load(Map.of("CHRYSALIS_CONFIG", "conf/forge.yaml"));
    Map<String, String> env = new HashMap<>(Map.of("CHRYSALIS_CLUSTER", "true",
      "CHRYSALIS_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/unused", "CHRYSALIS_REDIS_URL", "redis://127.0.0.1:1"));
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    EnvOverrides.apply(config, env);
    config.getJsonObject("metrics").put("enabled", false);
    return config;
  }

  @Test
  void aProductionClusterWithoutBusTlsRefusesToStart() {
    assertThatThrownBy(() -> ForgeVertx.create(config("CHRYSALIS_ENV", "production")).await(30, TimeUnit.SECONDS))
      .hasMessageContaining("CHRYSALIS_BUS_TLS=true").hasMessageContaining("CHRYSALIS_BUS_ALLOW_PLAINTEXT");
    // with TLS asked for, the next check (its keystores) speaks instead
    assertThatThrownBy(() -> ForgeVertx.create(config("CHRYSALIS_ENV", "production", "CHRYSALIS_BUS_TLS", "true"))
      .await(30, TimeUnit.SECONDS)).hasMessageContaining("CHRYSALIS_BUS_KEYSTORE");
  }

  @Test
  void plaintextIsAcceptedOnlyByExplicitOptOutOrOutsideProduction() {
    assertThat(ClusterConfig.plaintextBusRefused(config("CHRYSALIS_ENV", "production"))).isNotNull();
    assertThat(ClusterConfig.plaintextBusRefused(config("CHRYSALIS_ENV", "production",
      "CHRYSALIS_BUS_ALLOW_PLAINTEXT", "true"))).isNull();
    assertThat(ClusterConfig.plaintextBusRefused(config("CHRYSALIS_ENV", "development"))).isNull();
    assertThat(ClusterConfig.plaintextBusRefused(config("CHRYSALIS_ENV", "production", "CHRYSALIS_CLUSTER", "false")))
      .isNull();
  }
}
