package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.config.EnvOverrides;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BillingConfigTest {

  private static JsonObject conf(String... env) {
    JsonObject c = ConfigLoader.load(Map.of("CHRYSALIS_CONFIG", "conf/forge.yaml"));
    EnvOverrides.apply(c, dev.chrysalis.forge.testing.TestApp.env(env));
    return c;
  }

  @Test
  void defaultsAreThePlansOfTheOriginal() {
    BillingConfig c = BillingConfig.from(conf());
    assertThat(c.plans().keySet()).containsExactly("free", "pro", "team", "enterprise");
    assertThat(c.plan("free").dailyLimit()).isEqualTo(100);
    assertThat(c.plan("pro").dailyLimit()).isEqualTo(1000);
    assertThat(c.plan("team").unlimited()).isTrue();
    assertThat(c.plan("enterprise").features()).contains("sso", "audit_logs", "organizations");
    assertThat(c.defaultPlan()).isEqualTo("free");
    assertThat(c.autumn().enabled()).isFalse();
    assertThat(c.catalog().resolve("gpt-4o").tier()).isEqualTo("advanced");
    assertThat(c.catalog().resolve("gpt-4o-mini").tier()).isEqualTo("basic");
    assertThat(c.catalog().resolve("never-heard-of-it")).as("no provider can be placed").isNull();
  }

  @Test
  void environmentOverrides() {
    BillingConfig c = BillingConfig.from(conf("CHRYSALIS_FREE_DAILY_LIMIT", "7", "CHRYSALIS_DEFAULT_PLAN", "pro",
"AUTUMN_SECRET_KEY", "am_sk_test_abc",
      "AUTUMN_API_BASE", "http://127.0.0.1:9/"));
    assertThat(c.plan("free").dailyLimit()).isEqualTo(7);
    assertThat(c.defaultPlan()).isEqualTo("pro");
    assertThat(c.autumn().enabled()).isTrue();
    assertThat(c.autumn().apiBase()).isEqualTo("http://127.0.0.1:9");
  }

  @Test
  void badSettingsStopTheStart() {
    assertThatThrownBy(() -> BillingConfig.from(conf("CHRYSALIS_DEFAULT_PLAN", "gold")))
      .hasMessageContaining("default_plan");
    assertThatThrownBy(() -> BillingConfig.from(conf("AUTUMN_SECRET_KEY", "sk_live_stripe")))
      .hasMessageContaining("am_sk_");
    assertThatThrownBy(() -> BillingConfig.from(conf("CHRYSALIS_FREE_DAILY_LIMIT", "-1")))
      .hasMessageContaining("daily_limit");
    assertThatThrownBy(() -> BillingConfig.from(conf("CHRYSALIS_FREE_DAILY_LIMIT", "lots")))
      .hasMessageContaining("billing.free_daily_limit");
  }
}
