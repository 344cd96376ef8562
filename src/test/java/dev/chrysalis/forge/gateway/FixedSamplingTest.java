package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog's fixed_sampling attribute and the name rule for Claude models the catalog does not settle. */
class FixedSamplingTest {

  private static final Credentials KEY = new Credentials("anthropic", "sk-ant-x", "http://127.0.0.1:1", false, null);

  private static ModelRouter catalog(JsonObject models) {
    return new ModelRouter(GatewayConfig.from(new JsonObject().put("catalog", new JsonObject().put("models", models))));
  }

  /** What AnthropicAdapter sends for a body with temperature 0.3 and top_p 0.5 to this model. */
  private static JsonObject sent(ModelRouter catalog, String model) {
    JsonObject body = new JsonObject().put("model", model).put("temperature", 0.3).put("top_p", 0.5)
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    ChatCall call = new ChatCall(body, catalog.route(model), false, false, "chatcmpl-1", 1);
    return new AnthropicAdapter(100).request(call, KEY).body().toJsonObject();
  }

  @Test
  void theCatalogEntryDecidesBothWays() {
    ModelRouter c = catalog(new JsonObject()
      .put("house-claude", new JsonObject().put("provider", "anthropic").put("fixed_sampling", true))
      .put("claude-opus-4-9", new JsonObject().put("provider", "anthropic").put("fixed_sampling", false))
      .put("claude-opus-4-8", new JsonObject().put("provider", "anthropic")));
    assertThat(sent(c, "house-claude").containsKey("temperature")).isFalse();
    assertThat(sent(c, "house-claude").containsKey("top_p")).isFalse();
    assertThat(sent(c, "anthropic/house-claude").containsKey("temperature")).isFalse();
    assertThat(sent(c, "claude-opus-4-9").getDouble("temperature")).isEqualTo(0.3);
    assertThat(sent(c, "claude-opus-4-9").getDouble("top_p")).isEqualTo(0.5);
    // an entry that does not say goes by its name
    assertThat(sent(c, "claude-opus-4-8").containsKey("temperature")).isFalse();
  }

  @Test
  void theNameRuleFixesVersionsAbove46Only() {
    for (String fixed : new String[]{"claude-opus-4-7", "claude-sonnet-4-10", "claude-opus-5", "claude-haiku-5-1-20270101",
      "Claude-Sonnet-5-0"}) {
      assertThat(FixedSampling.of(fixed, null)).as(fixed).isTrue();
    }
    for (String free : new String[]{"claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-opus-4-20250514",
      "claude-opus-4", "claude-3-7-sonnet-latest", "claude-3-opus-20240229", "claude-instant-1", "claude-x", "gpt-5"}) {
      assertThat(FixedSampling.of(free, null)).as(free).isFalse();
    }
  }

  @Test
  void aFixedSamplingThatIsNotABooleanStopsTheStart() {
    JsonObject models = new JsonObject().put("m", new JsonObject().put("provider", "anthropic").put("fixed_sampling", "yes"));
    assertThatThrownBy(() -> catalog(models)).hasMessageContaining("fixed_sampling");
  }
}
