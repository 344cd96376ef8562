package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.Validator;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The router validates chat messages only as objects; {@link ChatRequestCheck} does the rest in
 * code. This runs the same messages through the contract's ChatMessage schema and the code check
 * and requires them to agree, so the documented contract and the enforced rules cannot drift.
 */
class ChatRequestCheckTest {

  @SuppressWarnings("unchecked")
  private static Validator contractSchema() throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("openapi/forge.yaml"))) {
      Map<String, Object> doc = new Yaml().load(in);
      Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
      JsonObject schema = new JsonObject((Map<String, Object>) schemas.get("ChatMessage"));
      return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("https://forge.test/").setOutputFormat(OutputFormat.Basic));
    }
  }

  private static boolean codeAccepts(JsonObject message) {
    try {
      ChatRequestCheck.check(new JsonObject().put("messages", new JsonArray().add(message)));
      return true;
    } catch (ServiceException e) {
      assertThat(e.failureCode()).isEqualTo(400);
      return false;
    }
  }

  private static JsonObject m(String json) {
    return new JsonObject(json);
  }

  @Test
  void codeAndContractAgree() throws Exception {
    Validator schema = contractSchema();
    List<JsonObject> valid = List.of(
      m("{\"role\":\"user\",\"content\":\"hi\"}"),
      m("{\"role\":\"system\",\"content\":\"be brief\",\"name\":\"ops\"}"),
      m("{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://i\"}}]}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"..\",\"format\":\"wav\"}}]}"),
      m("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}"),
      m("{\"role\":\"assistant\",\"content\":[{\"type\":\"refusal\",\"refusal\":\"no\"}]}"),
      m("{\"role\":\"assistant\",\"content\":\"ok\"}"),
      m("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"18C\"}"));
    List<JsonObject> invalid = List.of(
      m("{\"role\":\"wizard\",\"content\":\"hi\"}"),
      m("{\"content\":\"hi\"}"),
      m("{\"role\":\"user\"}"),
      m("{\"role\":\"user\",\"content\":null}"),
      m("{\"role\":\"user\",\"content\":42}"),
      m("{\"role\":\"user\",\"content\":\"x\",\"extra\":1}"),
      m("{\"role\":\"user\",\"content\":\"x\",\"name\":\"\"}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}"),
      m("{\"role\":\"user\",\"content\":[\"text\"]}"),
      m("{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}}]}"),
      m("{\"role\":\"user\",\"content\":\"x\",\"tool_calls\":[]}"),
      m("{\"role\":\"assistant\"}"),
      m("{\"role\":\"assistant\",\"content\":null}"),
      m("{\"role\":\"assistant\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}}]}"),
      m("{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}"),
      m("{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}"),
      m("{\"role\":\"tool\",\"content\":\"x\"}"),
      m("{\"role\":\"tool\",\"tool_call_id\":\"c1\"}"),
      m("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":null}"));
    for (JsonObject message : valid) {
      assertThat(schema.validate(message).getValid()).as("contract accepts " + message.encode()).isTrue();
      assertThat(codeAccepts(message)).as("code accepts " + message.encode()).isTrue();
    }
    for (JsonObject message : invalid) {
      assertThat(schema.validate(message).getValid()).as("contract rejects " + message.encode()).isFalse();
      assertThat(codeAccepts(message)).as("code rejects " + message.encode()).isFalse();
    }
  }
}
