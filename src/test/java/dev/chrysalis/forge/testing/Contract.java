package dev.chrysalis.forge.testing;

import dev.chrysalis.forge.http.RouterContract;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.impl.Utils;
import io.vertx.openapi.validation.ResponseValidator;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The contract, loaded once per test JVM: the router's copy with a response validator over it,
 * and the document as written (full schemas, event streams) with validators for its schemas.
 */
public final class Contract {

  private static final String PATH = "openapi/forge.yaml";
  private static final String BASE = "https://forge.test/openapi/forge.yaml";

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static ResponseValidator validator;
  private static JsonObject document;
  private static SchemaRepository documentSchemas;

  private Contract() {
  }

  public static synchronized OpenAPIContract get() {
    if (contract == null) {
      vertx = Vertx.vertx();
      try {
        contract = RouterContract.load(vertx, PATH).await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("contract does not load: " + e.getMessage(), e);
      }
      validator = ResponseValidator.create(vertx, contract);
    }
    return contract;
  }

  public static synchronized ResponseValidator validator() {
    get();
    return validator;
  }

  /** {@code openapi/forge.yaml} as written, as JSON. */
  public static synchronized JsonObject document() {
    if (document == null) {
      try {
        document = Utils.yamlStringToJson(Files.readString(Path.of(PATH))).await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("contract does not parse: " + e.getMessage(), e);
      }
      documentSchemas = SchemaRepository.create(new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
          .setBaseUri(BASE).setOutputFormat(OutputFormat.Basic))
        .dereference(BASE, JsonSchema.of(document));
    }
    return document;
  }

  /** A validator for {@code #/components/schemas/<name>} of the document as written. */
  public static Validator schema(String name) {
    return pointer("/components/schemas/" + name);
  }

  /**
   * A validator for the {@code data} of one event of the operation's {@code text/event-stream}
   * answer (status 200), as the document declares it.
   */
  public static Validator eventStream(String operationId) {
    JsonObject paths = document().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && operationId.equals(op.getString("operationId"))) {
          JsonObject content = op.getJsonObject("responses").getJsonObject("200").getJsonObject("content");
          if (!content.containsKey("text/event-stream")) {
            throw new IllegalArgumentException(operationId + " declares no text/event-stream answer");
          }
          return pointer("/paths/" + path.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D")
            + "/" + method + "/responses/200/content/text~1event-stream/schema");
        }
      }
    }
    throw new IllegalArgumentException("no operation " + operationId);
  }

  private static synchronized Validator pointer(String jsonPointer) {
    document();
    return documentSchemas.validator(JsonSchema.of(new JsonObject().put("$ref", BASE + "#" + jsonPointer)),
      new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE).setOutputFormat(OutputFormat.Basic));
  }

  /**
   * The statuses the operation lists ("default" aside). The response validator accepts any status
   * through {@code default}, so a test that a status is part of the operation's contract asks here.
   */
  public static Set<String> documentedStatuses(String operationId) {
    JsonObject paths = get().getRawContract().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && operationId.equals(op.getString("operationId"))) {
          Set<String> out = new TreeSet<>(op.getJsonObject("responses").fieldNames());
          out.remove("default");
          return out;
        }
      }
    }
    throw new IllegalArgumentException("no operation " + operationId);
  }
}
