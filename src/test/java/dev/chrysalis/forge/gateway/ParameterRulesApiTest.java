package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A chat parameter a provider cannot honour is refused by name before any upstream work; none is dropped. */
class ParameterRulesApiTest {

  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private void refused(String model, String field, Object value) {
    int calls = f.fake.seen.size();
    Api.Resp r = f.chat(GatewayFixture.hello(model).put(field, value)).expect(400);
    assertThat(r.error().getString("code")).as(model + " " + field).isEqualTo("unsupported_parameter");
    assertThat(r.error().getString("param")).as(model + " " + field).isEqualTo(field);
    assertThat(r.error().getString("message")).contains(field);
    assertThat(f.fake.seen.size()).as("no upstream call for " + model + " " + field).isEqualTo(calls);
  }

  @Test
  void anthropicRefusesWhatItCannotHonour() {
    refused("claude-haiku-4-5", "logprobs", true);
    refused("claude-haiku-4-5", "top_logprobs", 3);
    refused("claude-haiku-4-5", "seed", 7);
    refused("claude-haiku-4-5", "response_format", new JsonObject().put("type", "json_schema")
      .put("json_schema", new JsonObject().put("name", "x").put("schema", new JsonObject().put("type", "object"))));
    refused("claude-haiku-4-5", "frequency_penalty", 0.5);
    refused("claude-haiku-4-5", "logit_bias", new JsonObject().put("50256", -100));
    refused("claude-haiku-4-5", "reasoning_effort", "high");
    refused("claude-haiku-4-5", "temperature", 1.5);
  }

  @Test
  void geminiAndCohereRefuseWhatTheyCannotHonour() {
    for (String model : List.of("gemini-2.5-flash", "command-r")) {
      refused(model, "logprobs", true);
      refused(model, "logit_bias", new JsonObject().put("1", 5));
      refused(model, "modalities", new JsonArray().add("audio"));
    }
    refused("command-r", "temperature", 1.2);
  }

  @Test
  void offValuesAskForNothingAndAreServed() {
    for (String model : List.of("claude-haiku-4-5", "gemini-2.5-flash", "command-r")) {
      JsonObject body = GatewayFixture.hello(model).put("logprobs", false).put("frequency_penalty", 0)
        .put("presence_penalty", 0).put("top_logprobs", 0).putNull("seed").put("metadata", new JsonObject())
        .put("response_format", new JsonObject().put("type", "text")).put("n", 1).put("temperature", 1);
      f.chat(body).expect(200);
    }
  }

  @Test
  void whatAProviderServesReachesIt() {
    f.chat(GatewayFixture.hello("gemini-2.5-flash").put("seed", 7).put("presence_penalty", 0.5)).expect(200);
    JsonObject gen = f.fake.last().body().getJsonObject("generationConfig");
    assertThat(gen.getInteger("seed")).isEqualTo(7);
    assertThat(gen.getDouble("presencePenalty")).isEqualTo(0.5);
    f.chat(GatewayFixture.hello("claude-haiku-4-5").put("temperature", 0.9)).expect(200);
    assertThat(f.fake.last().body().getDouble("temperature")).isEqualTo(0.9);
    // OpenAI-compatible upstreams answer for their own parameters
    f.chat(GatewayFixture.hello("gpt-4o").put("logprobs", true).put("seed", 7)).expect(200);
    assertThat(f.fake.last().body().getBoolean("logprobs")).isTrue();
  }
}
