package dev.chrysalis.forge.http;

import dev.chrysalis.forge.testing.Contract;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What clients generated from the contract need of it: schema names that do not shadow a type of
 * the languages they are generated in, objects whose fields are declared (a bare
 * {@code type: object} becomes {@code Record<string, never>} in TypeScript), and no field that is
 * both required and defaulted.
 */
class ContractShapeTest {

  /** Types of java.lang, TypeScript/JavaScript globals and the DOM that a generated model would shadow. */
  private static final Set<String> TAKEN = Set.of(
    "Object", "Class", "String", "Integer", "Long", "Double", "Float", "Number", "Boolean", "Byte", "Short",
    "Character", "Void", "Enum", "Record", "Thread", "Process", "Runtime", "System", "Error", "Exception",
    "Throwable", "Iterable", "Comparable", "Module", "Package", "Math", "Override", "Deprecated",
    "Date", "Map", "Set", "Array", "Function", "Promise", "Symbol", "Response", "Request", "Headers", "Event",
    "File", "Blob", "URL", "Node", "Element", "Document", "Window", "Location", "Storage", "Message",
    "Session", "List", "Optional", "Type", "Result");

  private static JsonObject schemas() {
    return Contract.document().getJsonObject("components").getJsonObject("schemas");
  }

  @Test
  void noSchemaNameShadowsALanguageType() {
    assertThat(schemas().fieldNames()).doesNotContainAnyElementsOf(TAKEN);
  }

  @Test
  void everyObjectDeclaresItsFields() {
    List<String> bare = new ArrayList<>();
    walk(Contract.document(), "#", bare, new ArrayList<>());
    assertThat(bare).as("schemas that are just type: object (give properties, additionalProperties or a union)")
      .isEmpty();
  }

  @Test
  void noFieldIsBothRequiredAndDefaulted() {
    List<String> both = new ArrayList<>();
    walk(Contract.document(), "#", new ArrayList<>(), both);
    assertThat(both).isEmpty();
  }

  /** The event-stream validators the stream tests use do check: they refuse what is not an event. */
  @Test
  void eventStreamSchemasRefuseWhatIsNotAnEvent() {
    JsonObject chunk = new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion.chunk").put("created", 1)
      .put("model", "gpt-4o").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("delta", new JsonObject().put("content", "Hi")).putNull("finish_reason")));
    JsonObject error = new JsonObject().put("error", new JsonObject().put("message", "upstream broke")
      .put("type", "upstream_error").put("code", "upstream_error"));
    for (String op : List.of("createChatCompletion", "sendThreadMessage")) {
      assertThat(Contract.eventStream(op).validate(chunk).getValid()).isTrue();
      assertThat(Contract.eventStream(op).validate(error).getValid()).isTrue();
      assertThat(Contract.eventStream(op).validate(new JsonObject()).getValid()).isFalse();
      assertThat(Contract.eventStream(op).validate(chunk.copy().put("object", "chat.completion")).getValid()).isFalse();
    }
    JsonObject delta = new JsonObject().put("type", "response.output_text.delta").put("sequence_number", 3)
      .put("item_id", "msg_1").put("output_index", 0).put("content_index", 0).put("delta", "Hi");
    assertThat(Contract.eventStream("createResponse").validate(delta).getValid()).isTrue();
    JsonObject unnumbered = delta.copy();
    unnumbered.remove("sequence_number");
    assertThat(Contract.eventStream("createResponse").validate(unnumbered).getValid()).isFalse();
    assertThat(Contract.eventStream("createResponse").validate(delta.copy().put("type", "response.unknown"))
      .getValid()).isFalse();
    assertThat(Contract.eventStream("createResponse").validate(chunk).getValid()).isFalse();
  }

  private static void walk(Object node, String at, List<String> bare, List<String> requiredWithDefault) {
    if (node instanceof JsonObject o) {
      if (isBareObject(o)) {
        bare.add(at);
      }
      if (o.getValue("required") instanceof JsonArray required && o.getValue("properties") instanceof JsonObject props) {
        for (Object name : required) {
          if (props.getValue((String) name) instanceof JsonObject p && p.containsKey("default")) {
            requiredWithDefault.add(at + "/properties/" + name);
          }
        }
      }
      for (String key : o.fieldNames()) {
        // the router's shallow copies are not what clients see
        if (!key.equals(RouterContract.ROUTER_SCHEMA)) {
          walk(o.getValue(key), at + "/" + key, bare, requiredWithDefault);
        }
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        walk(a.getValue(i), at + "/" + i, bare, requiredWithDefault);
      }
    }
  }

  private static boolean isBareObject(JsonObject o) {
    Object type = o.getValue("type");
    boolean object = "object".equals(type) || type instanceof JsonArray types && types.contains("object");
    return object && !o.containsKey("properties") && !o.containsKey("additionalProperties")
      && !o.containsKey("oneOf") && !o.containsKey("anyOf") && !o.containsKey("allOf") && !o.containsKey("$ref");
  }
}
