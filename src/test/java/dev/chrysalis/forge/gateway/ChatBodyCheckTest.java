package dev.chrysalis.forge.gateway;

import io.vertx.core.buffer.Buffer;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code POST /v1/chat/completions} is validated by {@link ChatBodyCheck} (top level) and
 * {@link ChatRequestCheck} (messages, tools) instead of the schema validator. This feeds whole
 * bodies to the contract's {@code ChatCompletionRequest} schema, with its {@code messages} and
 * {@code tools} items taken as the {@code ChatMessage} and {@code ChatTool} schemas its
 * description names, and to the code, and requires both to agree on every body.
 */
class ChatBodyCheckTest {

  /** ChatCompletionRequest with every component schema under $defs, so its references resolve on their own. */
  @SuppressWarnings("unchecked")
  private static Validator contractSchema() throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("openapi/forge.yaml"))) {
      Map<String, Object> doc = new Yaml().load(in);
      JsonObject schemas = new JsonObject((Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas"));
      JsonObject defs = (JsonObject) localRefs(schemas.copy());
      JsonObject request = defs.getJsonObject("ChatCompletionRequest").copy();
      JsonObject props = request.getJsonObject("properties");
      itemsAs(props.getJsonObject("messages"), "ChatMessage");
      itemsAs(props.getJsonObject("tools"), "ChatTool");
      request.put("$defs", defs);
      return Validator.create(JsonSchema.of(request), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("https://forge.test/").setOutputFormat(OutputFormat.Basic));
    }
  }

  /** Items documented as a component but declared as a bare object take that component's schema. */
  private static void itemsAs(JsonObject array, String component) {
    if (array != null && new JsonObject().put("type", "object").equals(array.getJsonObject("items"))) {
      array.put("items", new JsonObject().put("$ref", "#/$defs/" + component));
    }
  }

  private static Object localRefs(Object node) {
    if (node instanceof JsonObject o) {
      for (String key : o.fieldNames()) {
        Object v = o.getValue(key);
        if (key.equals("$ref") && v instanceof String ref && ref.startsWith("#/components/schemas/")) {
          o.put(key, "#/$defs/" + ref.substring("#/components/schemas/".length()));
        } else {
          localRefs(v);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(ChatBodyCheckTest::localRefs);
    }
    return node;
  }

  /** What the route does with the bytes: parse and check the top level, then the messages and tools. */
  private static boolean codeAccepts(String json) {
    try {
      JsonObject body = ChatBodyCheck.parse(Buffer.buffer(json));
      ChatRequestCheck.check(body);
      return true;
    } catch (ServiceException e) {
      assertThat(e.failureCode()).isEqualTo(400);
      return false;
    }
  }

  private static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

  private static String with(String fields) {
    return "{" + MSG + (fields.isEmpty() ? "" : "," + fields) + "}";
  }

  @Test
  void codeAndContractAgreeOnWholeBodies() throws Exception {
    Validator schema = contractSchema();
    List<String> valid = List.of(
      with(""),
      with("\"model\":\"gpt-4o-mini\""),
      with("\"model\":\"openai/gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true}"),
      with("\"stream\":null,\"n\":null,\"temperature\":null,\"top_p\":null,\"seed\":null,\"stop\":null"),
      with("\"temperature\":0,\"top_p\":1,\"presence_penalty\":-2,\"frequency_penalty\":2"),
      with("\"temperature\":2,\"top_p\":0.5"),
      with("\"max_tokens\":1,\"max_completion_tokens\":100000,\"n\":128,\"seed\":-5"),
      with("\"max_tokens\":2.0"),
      with("\"stop\":\"END\""),
      with("\"stop\":[\"a\",\"b\",\"c\",\"d\"]"),
      with("\"stream_options\":{},\"stream\":true"),
      with("\"response_format\":{\"type\":\"json_object\"}"),
      with("\"response_format\":{\"type\":\"text\"}"),
      with("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"strict\":null,"
        + "\"description\":\"d\"}}"),
      with("\"tool_choice\":\"none\""),
      with("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{}}}"),
      with("\"user\":\"u-1\",\"org_id\":\"org_abc\""),
      with("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],"
        + "\"tool_choice\":\"auto\",\"parallel_tool_calls\":false"),
      with("\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
      with("\"logprobs\":true,\"unknown_field\":{\"passes\":\"through\"}"),
      "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"text\",\"text\":\"x\"}]},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
        + "[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"18C\"}]}");
    List<String> invalid = List.of(
      "{}",
      "{\"model\":\"gpt-4o-mini\"}",
      "{\"messages\":[]}",
      "{\"messages\":{}}",
      "{\"messages\":[\"hi\"]}",
      "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}",
      "{\"messages\":[{\"role\":\"user\"}]}",
      with("\"model\":\"\""),
      with("\"model\":42"),
      with("\"model\":\"gpt\\u0007\""),
      with("\"model\":\"" + "m".repeat(257) + "\""),
      with("\"temperature\":2.5"),
      with("\"temperature\":-0.1"),
      with("\"temperature\":\"hot\""),
      with("\"top_p\":1.01"),
      with("\"presence_penalty\":-3"),
      with("\"frequency_penalty\":2.5"),
      with("\"max_tokens\":0"),
      with("\"max_tokens\":1.5"),
      with("\"max_completion_tokens\":\"10\""),
      with("\"n\":0"),
      with("\"n\":129"),
      with("\"seed\":1.5"),
      with("\"stream\":\"yes\""),
      with("\"stream_options\":[]"),
      with("\"stream_options\":{\"include_usage\":\"yes\"},\"stream\":true"),
      with("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"),
      with("\"stop\":[1]"),
      with("\"stop\":\"" + "s".repeat(1001) + "\""),
      with("\"stop\":{}"),
      with("\"response_format\":{}"),
      with("\"response_format\":{\"type\":\"yaml\"}"),
      with("\"response_format\":\"json_object\""),
      with("\"response_format\":null"),
      with("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":\"x\"}"),
      with("\"user\":7"),
      with("\"user\":\"" + "u".repeat(257) + "\""),
      with("\"org_id\":\"" + "o".repeat(65) + "\""),
      with("\"org_id\":null"),
      with("\"tools\":{}"),
      with("\"tools\":[{\"type\":\"function\"}]"),
      with("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"" + "f".repeat(65) + "\"}}]"),
      with("\"tool_choice\":3"),
      with("\"tool_choice\":\"sometimes\""),
      with("\"tool_choice\":{\"function\":{\"name\":\"f\"}}"),
      with("\"tool_choice\":{\"type\":\"function\"}"),
      with("\"response_format\":{\"type\":\"json_schema\"}"),
      with("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}"),
      with("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":[]}}"),
      with("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"strict\":\"yes\"}}"),
      with("\"parallel_tool_calls\":\"no\""));
    for (String body : valid) {
      assertThat(schema.validate(new JsonObject(body)).getValid()).as("contract accepts " + body).isTrue();
      assertThat(codeAccepts(body)).as("code accepts " + body).isTrue();
    }
    for (String body : invalid) {
      assertThat(schema.validate(new JsonObject(body)).getValid()).as("contract rejects " + body).isFalse();
      assertThat(codeAccepts(body)).as("code rejects " + body).isFalse();
    }
  }

  @Test
  void aRepeatedKeyAnywhereIsRefused() {
    for (String body : List.of(
      "{\"model\":\"gpt-4o-mini\",\"model\":\"o1\"," + MSG + "}",
      with("\"n\":1,\"n\":64"),
      "{\"messages\":[{\"role\":\"user\",\"role\":\"system\",\"content\":\"hi\"}]}")) {
      assertThatThrownBy(() -> ChatBodyCheck.parse(Buffer.buffer(body)))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.failureCode()).isEqualTo(400);
          assertThat(e.getDebugInfo().getString("code")).isEqualTo("invalid_json");
          assertThat(e.getMessage()).contains("repeats a key");
        });
    }
  }

  @Test
  void notJsonOrNotAnObjectIsRefused() {
    for (String body : List.of("{\"messages\":", "[1,2]", "\"text\"", "{\"messages\":[]} trailing")) {
      assertThatThrownBy(() -> ChatBodyCheck.parse(Buffer.buffer(body)))
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
    }
    assertThatThrownBy(() -> ChatBodyCheck.parse(Buffer.buffer()))
      .isInstanceOfSatisfying(ServiceException.class,
        e -> assertThat(e.getDebugInfo().getString("code")).isEqualTo("missing_parameter"));
  }
}
