package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schemas of OpenAI's published OpenAPI description (test resource
 * {@code openai-openapi/openapi.yaml}, see the README there), as validators by component name.
 */
final class OpenAiSchema {

  private static final String BASE = "https://openai.test/openapi.json";
  private static OpenAiSchema instance;

  private final JsonObject doc;
  private final SchemaRepository repository;
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();
  private final Map<String, String> eventSchemas = new LinkedHashMap<>();

  private OpenAiSchema() throws Exception {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(16 * 1024 * 1024);
    try (InputStream in = OpenAiSchema.class.getResourceAsStream("/openai-openapi/openapi.yaml")) {
      doc = (JsonObject) json(new Yaml(options).load(in));
    }
    JsonSchemaOptions schemaOptions = new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE)
      .setOutputFormat(OutputFormat.Basic);
    repository = SchemaRepository.create(schemaOptions).dereference(BASE, JsonSchema.of(doc));
    for (Object o : schema("ResponseStreamEvent").getJsonArray("anyOf")) {
      String name = ((JsonObject) o).getString("$ref").substring("#/components/schemas/".length());
      JsonArray types = schema(name).getJsonObject("properties").getJsonObject("type").getJsonArray("enum");
      eventSchemas.put(types.getString(0), name);
    }
  }

  static synchronized OpenAiSchema get() {
    if (instance == null) {
      try {
        instance = new OpenAiSchema();
      } catch (Exception e) {
        throw new IllegalStateException("OpenAI's schema does not load: " + e.getMessage(), e);
      }
    }
    return instance;
  }

  String version() {
    return doc.getJsonObject("info").getString("version");
  }

  JsonObject schema(String name) {
    JsonObject s = doc.getJsonObject("components").getJsonObject("schemas").getJsonObject(name);
    if (s == null) {
      throw new IllegalArgumentException("OpenAI's schema has no component " + name);
    }
    return s;
  }

  /** The component that describes a Responses stream event of this {@code type}, or null if none does. */
  String eventSchema(String type) {
    return eventSchemas.get(type);
  }

  /** What is wrong with {@code value} as an instance of the component {@code name}; empty when it is valid. */
  List<String> errors(String name, Object value) {
    schema(name);
    Validator v = validators.computeIfAbsent(name, n -> repository.validator(
      JsonSchema.of(new JsonObject().put("$ref", BASE + "#/components/schemas/" + n)),
      new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE).setOutputFormat(OutputFormat.Basic)));
    OutputUnit out = v.validate(value);
    List<String> errors = new ArrayList<>();
    if (!Boolean.TRUE.equals(out.getValid())) {
      if (out.getErrors() == null || out.getErrors().isEmpty()) {
        errors.add(out.getInstanceLocation() + ": " + out.getError());
      } else {
        // the leaves say what is wrong; the units above them only repeat that a subschema failed
        for (OutputUnit e : out.getErrors()) {
          String msg = e.getError();
          if (!msg.startsWith("A subschema had errors") && !msg.contains("does not match schema")
            && !msg.startsWith("Items did not match") && !msg.startsWith("Instance does not match every subschema")) {
            errors.add(e.getInstanceLocation() + " " + e.getKeywordLocation() + ": " + msg);
          }
        }
      }
    }
    return errors;
  }

  /**
   * YAML as JSON values. A schema marked with OpenAPI 3.0's {@code nullable: true} (which JSON
   * Schema 2020-12 ignores) becomes "that schema, or null", as its authors mean it; YAML dates in
   * examples become strings.
   */
  @SuppressWarnings("unchecked")
  private static Object json(Object yaml) {
    if (yaml instanceof Map<?, ?> map) {
      JsonObject o = new JsonObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        o.put(String.valueOf(e.getKey()), json(e.getValue()));
      }
      if (Boolean.TRUE.equals(o.getValue("nullable"))) {
        o.remove("nullable");
        JsonObject nullable = new JsonObject();
        for (String k : List.of("description", "default", "example", "deprecated", "title")) {
          if (o.containsKey(k)) {
            nullable.put(k, o.getValue(k));
          }
        }
        return nullable.put("anyOf", new JsonArray().add(o).add(new JsonObject().put("type", "null")));
      }
      return o;
    }
    if (yaml instanceof List<?> list) {
      JsonArray a = new JsonArray();
      list.forEach(x -> a.add(json(x)));
      return a;
    }
    if (yaml instanceof String || yaml instanceof Number || yaml instanceof Boolean || yaml == null) {
      return yaml;
    }
    return String.valueOf(yaml);
  }
}
