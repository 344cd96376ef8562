package dev.chrysalis.forge.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

  @Test
  void environmentOverridesTheYamlWithTheDefaultsType() {
    JsonObject c = ConfigLoader.load(Map.of("CHRYSALIS_PORT", "9191", "CHRYSALIS_ENABLE_REGISTRATION", "false",
      "CHRYSALIS_DATABASE_URL", "postgresql://u:p@db:5432/forge"));
    assertThat(c.getJsonObject("server").getInteger("port")).isEqualTo(9191);
    assertThat(c.getJsonObject("auth").getBoolean("enable_registration")).isFalse();
    assertThat(c.getJsonObject("database").getString("url")).isEqualTo("postgresql://u:p@db:5432/forge");
    assertThat(c.getJsonObject("auth").getInteger("pbkdf2_iterations")).isEqualTo(600000);
  }

  @Test
  void aBadValueNamesTheSettingNotTheValue() {
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("CHRYSALIS_PORT", "eighty")))
      .hasMessageContaining("server.port").hasMessageNotContaining("eighty");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("CHRYSALIS_ENABLE_REGISTRATION", "yes")))
      .hasMessageContaining("auth.enable_registration");
  }
}
