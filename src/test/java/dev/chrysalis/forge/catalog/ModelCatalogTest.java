package dev.chrysalis.forge.catalog;

import dev.chrysalis.forge.config.ConfigLoader;
import dev.chrysalis.forge.config.EnvOverrides;
import dev.chrysalis.forge.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the one catalog places names: the shipped conf/forge.yaml, as a deployment gets it. */
class ModelCatalogTest {

  private static ModelCatalog shipped(String... env) {
    JsonObject c = ConfigLoader.load(Map.of("CHRYSALIS_CONFIG", "conf/forge.yaml"));
    EnvOverrides.apply(c, TestApp.env(env));
    return ModelCatalog.from(c);
  }

  @Test
  void snapshotsPrefixesAliasesAndCaseResolveToTheirFamily() {
    ModelCatalog c = shipped();
    for (String[] p : new String[][]{
      {"gpt-4o-2024-08-06", "gpt-4o"}, {"openai/gpt-4o-2024-11-20", "gpt-4o"}, {"chatgpt-4o-latest", "gpt-4o"},
      {"o3-2025-04-16", "o3"}, {"gpt-4.1-2025-04-14", "gpt-4.1"}, {"GPT-4o", "gpt-4o"}, {" gpt-4o ", "gpt-4o"},
      {"OpenAI/GPT-4O", "gpt-4o"}, {"gpt-4o-mini-2024-07-18", "gpt-4o-mini"}, {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
      {"mistral-large-latest", "mistral-large-latest"}}) {
      ResolvedModel r = c.resolve(p[0]);
      assertThat(r.id()).as(p[0]).isEqualTo(p[1]);
      assertThat(r.listed()).as(p[0]).isTrue();
      assertThat(r.tier()).as(p[0]).isEqualTo(r.entry().tier());
      assertThat(r.label()).as(p[0]).isEqualTo(p[1]);
    }
    // the upstream gets the name the client chose, minus the prefix; a case-only variant gets the family id
    assertThat(c.resolve("openai/gpt-4o-2024-11-20").upstreamName()).isEqualTo("gpt-4o-2024-11-20");
    assertThat(c.resolve("GPT-4o").upstreamName()).isEqualTo("gpt-4o");
    assertThat(c.resolve("chatgpt-4o-latest").upstreamName()).isEqualTo("chatgpt-4o-latest");
  }

  @Test
  void anUnlistedNameIsPricedAndTieredAsItsProvidersMostExpensive() {
    ModelCatalog c = shipped();
    ResolvedModel r = c.resolve("gpt-4o-audio-preview");
    assertThat(r.listed()).isFalse();
    assertThat(r.id()).isEqualTo("openai/gpt-4o-audio-preview");
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.tier()).isEqualTo("advanced");
    assertThat(r.inputPrice()).isEqualTo(2.50);
    assertThat(r.outputPrice()).isEqualTo(10.00);
    assertThat(r.label()).isEqualTo("other");
    // a family under another provider than the prefix names is not that family
    ResolvedModel crossed = c.resolve("anthropic/gpt-4o-mini");
    assertThat(crossed.listed()).isFalse();
    assertThat(crossed.outputPrice()).isEqualTo(75.00);
    assertThat(crossed.tier()).isEqualTo("advanced");
    // a snapshot of a family that is not listed is not its cheaper sibling
    assertThat(c.resolve("gpt-4.1-nano-2025-04-14").outputPrice()).isEqualTo(10.00);
    // the canonical id of an unlisted name resolves to the same answer (billing asks again)
    assertThat(c.resolve(r.id())).isEqualTo(new ResolvedModel(r.id(), r.id(), "openai", "gpt-4o-audio-preview", null,
      "advanced", 2.50, 10.00));
    assertThat(c.resolve("llama3")).as("no provider to place it with").isNull();
    assertThat(c.resolve("acme/x")).isNull();
  }

  @Test
  void selfHostedProvidersMayBeConfiguredFreeAndPaidOnesCannot() {
    ModelCatalog c = shipped();
    assertThat(c.resolve("ollama/llama3").cost(1_000_000, 1_000_000)).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(c.resolve("ollama/llama3").tier()).isEqualTo("basic");
    JsonObject bad = new JsonObject().put("catalog", new JsonObject().put("unlisted", new JsonObject()
      .put("openai", new JsonObject().put("tier", "basic").put("input_per_mtok", 0).put("output_per_mtok", 0))));
    assertThatThrownBy(() -> ModelCatalog.from(bad)).hasMessageContaining("self-hosted");
  }

  @Test
  void refuseModeServesNoUnlistedNameOfAPaidProvider() {
    ModelCatalog c = shipped("CHRYSALIS_UNLISTED_MODELS", "refuse");
    assertThat(c.resolve("gpt-4o-audio-preview")).isNull();
    assertThat(c.resolve("gpt-4o-2024-08-06").id()).isEqualTo("gpt-4o");
    assertThat(c.resolve("ollama/llama3")).as("priced by the operator").isNotNull();
    assertThatThrownBy(() -> shipped("CHRYSALIS_UNLISTED_MODELS", "cheapest")).hasMessageContaining("unlisted_models");
  }

  @Test
  void costIsComputedHereOnly() {
    ResolvedModel r = shipped().resolve("claude-opus-4-1");
    assertThat(r.cost(1_000, 2_000)).isEqualByComparingTo(new BigDecimal("0.16500000"));
  }

  @Test
  void snapshotSuffixesAreRecognisedWithoutPatterns() {
    assertThat(ModelCatalog.undated("gpt-4o-2024-08-06")).isEqualTo("gpt-4o");
    assertThat(ModelCatalog.undated("claude-x-20241022")).isEqualTo("claude-x");
    assertThat(ModelCatalog.undated("claude-x-latest")).isEqualTo("claude-x");
    assertThat(ModelCatalog.undated("gpt-4o")).isNull();
    assertThat(ModelCatalog.undated("gpt-4o-2024-0a-06")).isNull();
    assertThat(ModelCatalog.undated("-20241022")).isNull();
  }

  @Test
  void aNameGivenToTwoFamiliesStopsTheStart() {
    JsonObject conf = new JsonObject().put("catalog", new JsonObject().put("models", new JsonObject()
      .put("a", new JsonObject().put("provider", "openai").put("aliases", new io.vertx.core.json.JsonArray().add("B")))
      .put("b", new JsonObject().put("provider", "openai"))));
    assertThatThrownBy(() -> ModelCatalog.from(conf)).hasMessageContaining("belongs to both");
  }
}
