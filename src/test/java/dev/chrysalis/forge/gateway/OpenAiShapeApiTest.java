package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers keep the rules of OpenAI's published schema whatever the provider: an assistant message
 * always has {@code refusal}, and every chunk of a stream has the same id, created and model.
 */
class OpenAiShapeApiTest {

  private static final List<String> MODELS = List.of("gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash", "command-r",
    "mistral-small-latest", "ollama/llama3.2");

  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void everyAssistantMessageHasARefusalField() {
    for (String model : List.of("gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash", "command-r", "claude-haiku-4-5-tools",
      "gemini-2.5-flash-tools", "command-r-tools", "mistral-small-latest", "ollama/llama3.2")) {
      JsonObject message = f.chat(GatewayFixture.hello(model)).expect(200).json().getJsonArray("choices")
        .getJsonObject(0).getJsonObject("message");
      assertThat(message.containsKey("refusal")).as(model).isTrue();
      assertThat(message.getValue("refusal")).as(model).isNull();
    }
  }

  @Test
  void everyChunkOfAStreamHasTheSameIdCreatedAndModel() {
    for (String model : MODELS) {
      JsonObject body = GatewayFixture.hello(model).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
      List<JsonObject> chunks = new Sse(f.chat(body).expect(200).text()).chunks();
      assertThat(chunks.size()).as(model).isGreaterThan(2);
      JsonObject first = chunks.get(0);
      assertThat(first.getString("id")).as(model).startsWith("chatcmpl-").isNotEqualTo("chatcmpl-up");
      assertThat(first.getString("model")).as(model).isEqualTo(model);
      for (JsonObject c : chunks) {
        assertThat(c.getString("id")).as(model).isEqualTo(first.getString("id"));
        assertThat(c.getLong("created")).as(model).isEqualTo(first.getLong("created"));
        assertThat(c.getString("model")).as(model).isEqualTo(model);
        assertThat(c.getString("object")).isEqualTo("chat.completion.chunk");
      }
    }
  }
}
