package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Contract;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The router validates chat messages only as objects; {@link ChatRequestCheck} does the rest in
 * code. This runs the same messages through the contract's ChatMessage schema and the code check
 * and requires them to agree, so the documented contract and the enforced rules cannot drift.
 */
class ChatRequestCheckTest {

  private static Validator contractSchema() {
    return Contract.schema("ChatMessage");
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
      m("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"18C\"}"),
      m("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"18C\",\"name\":\"weather\"}"),
      m("{\"role\":\"assistant\",\"content\":\"x\",\"tool_calls\":null,\"refusal\":null,\"audio\":null}"),
      m("{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":\"f\",\"arguments\":\"{}\"}}"),
      m("{\"role\":\"assistant\",\"audio\":{\"id\":\"a1\"},\"content\":\"x\"}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"f1\"}}]}"),
      m("{\"role\":\"function\",\"name\":\"f\",\"content\":\"42\"}"));
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
      m("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":null}"),
      m("{\"role\":\"user\",\"content\":\"x\",\"tool_call_id\":\"c1\"}"),
      m("{\"role\":\"system\",\"content\":\"x\",\"refusal\":null}"),
      m("{\"role\":\"user\",\"content\":\"x\",\"name\":null}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"refusal\",\"refusal\":\"no\"}]}"),
      m("{\"role\":\"assistant\",\"function_call\":{\"name\":\"f\"}}"),
      m("{\"role\":\"assistant\",\"content\":\"x\",\"audio\":{}}"),
      m("{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":1}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"..\"}}]}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":5}}]}"),
      m("{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\",\"detail\":1}}]}"),
      m("{\"role\":\"function\",\"content\":null}"));
    for (JsonObject message : valid) {
      assertThat(schema.validate(message).getValid()).as("contract accepts " + message.encode()).isTrue();
      assertThat(codeAccepts(message)).as("code accepts " + message.encode()).isTrue();
    }
    for (JsonObject message : invalid) {
      assertThat(schema.validate(message).getValid()).as("contract rejects " + message.encode()).isFalse();
      assertThat(codeAccepts(message)).as("code rejects " + message.encode()).isFalse();
    }
  }

  private static boolean codeAcceptsTool(JsonObject tool) {
    try {
      ChatRequestCheck.check(new JsonObject().put("messages", new JsonArray().add(m("{\"role\":\"user\",\"content\":\"hi\"}")))
        .put("tools", new JsonArray().add(tool)));
      return true;
    } catch (ServiceException e) {
      assertThat(e.failureCode()).isEqualTo(400);
      return false;
    }
  }

  @Test
  void toolsAgreeWithTheContract() {
    Validator schema = Contract.schema("ChatTool");
    List<JsonObject> valid = List.of(
      m("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
      m("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"d\","
        + "\"parameters\":{\"type\":\"object\",\"properties\":{}},\"strict\":true}}"),
      m("{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":null}}"));
    List<JsonObject> invalid = List.of(
      m("{\"type\":\"web_search\"}"),
      m("{\"function\":{\"name\":\"f\"}}"),
      m("{\"type\":\"function\"}"),
      m("{\"type\":\"function\",\"function\":{\"name\":\"\"}}"),
      m("{\"type\":\"function\",\"function\":{\"name\":\"" + "f".repeat(65) + "\"}}"),
      m("{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":\"x\"}}"),
      m("{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":5}}"),
      m("{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":\"yes\"}}"));
    for (JsonObject tool : valid) {
      assertThat(schema.validate(tool).getValid()).as("contract accepts " + tool.encode()).isTrue();
      assertThat(codeAcceptsTool(tool)).as("code accepts " + tool.encode()).isTrue();
    }
    for (JsonObject tool : invalid) {
      assertThat(schema.validate(tool).getValid()).as("contract rejects " + tool.encode()).isFalse();
      assertThat(codeAcceptsTool(tool)).as("code rejects " + tool.encode()).isFalse();
    }
  }
}
