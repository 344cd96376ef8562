package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelRouterTest {

  private static ModelRouter catalog(String allowed) {
    JsonObject config = new JsonObject()
      .put("gateway", new JsonObject().put("default_model", "claude-haiku-4-5").put("allowed_models", allowed))
      .put("catalog", new JsonObject().put("models", new JsonObject()
        .put("claude-haiku-4-5", new JsonObject().put("provider", "anthropic").put("tier", "basic"))
        .put("gpt-4o-mini", new JsonObject().put("provider", "openai").put("tier", "basic"))
        .put("gemini-2.5-flash", new JsonObject().put("provider", "google").put("tier", "basic"))
        .put("mistral-small-latest", new JsonObject().put("provider", "mistral").put("tier", "basic"))
        .put("command-r", new JsonObject().put("provider", "cohere").put("tier", "basic"))
        .put("house-model", new JsonObject().put("provider", "vllm").put("tier", "advanced"))));
    return new ModelRouter(GatewayConfig.from(config));
  }

  @Test
  void explicitCatalogPrefixAndDefault() {
    ModelRouter c = catalog("");
    assertThat(c.route("mistral/open-model")).extracting(ModelRoute::provider, ModelRoute::upstreamModel)
      .containsExactly("mistral", "open-model");
    assertThat(c.route("house-model").provider()).isEqualTo("vllm");
    assertThat(c.route("house-model").catalog().tier()).isEqualTo("advanced");
    for (String[] p : new String[][]{{"gpt-4.1", "openai"}, {"o1-mini", "openai"}, {"o3", "openai"}, {"o4-mini", "openai"},
      {"claude-opus-4", "anthropic"}, {"gemini-3-pro", "google"}, {"mistral-medium", "mistral"},
      {"codestral-latest", "mistral"}, {"ministral-8b", "mistral"}, {"command-a", "cohere"}}) {
      assertThat(c.route(p[0]).provider()).as(p[0]).isEqualTo(p[1]);
    }
    assertThat(c.route(null).requested()).isEqualTo("claude-haiku-4-5");
    assertThat(c.route("  ").provider()).isEqualTo("anthropic");
  }

  @Test
  void unknownOrNotAllowedIs404() {
    assertThatThrownBy(() -> catalog("").route("llama3")).isInstanceOfSatisfying(ServiceException.class,
      e -> assertThat(e.failureCode()).isEqualTo(404));
    assertThatThrownBy(() -> catalog("").route("acme/x")).isInstanceOf(ServiceException.class);
    ModelRouter limited = catalog("claude-haiku-4-5, openai/gpt-4o");
    assertThat(limited.route("openai/gpt-4o").provider()).isEqualTo("openai");
    assertThatThrownBy(() -> limited.route("gpt-4o")).isInstanceOfSatisfying(ServiceException.class,
      e -> assertThat(e.getDebugInfo().getString("code")).isEqualTo("model_not_found"));
  }

  @Test
  void badCatalogEntriesStopTheStart() {
    JsonObject config = new JsonObject().put("catalog", new JsonObject().put("models", new JsonObject()
      .put("x", new JsonObject().put("provider", "acme").put("tier", "basic"))));
    assertThatThrownBy(() -> GatewayConfig.from(config)).hasMessageContaining("unknown provider");
  }
}
