package dev.chrysalis.forge.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;

import java.util.ArrayList;

/**
 * The contract as the router loads it. {@code openapi/forge.yaml} is written for its readers (the
 * docs, client generators, linters) and holds two things the router must not see as they are:
 * <ul>
 *   <li>Answers declared as {@code text/event-stream} (streamed chat, thread messages and
 *   responses): vertx-openapi 5.0 refuses to load an operation whose response has a media type
 *   outside its short list. The router never validates responses, so its copy leaves them out.</li>
 *   <li>{@code x-forge-router-schema} on a schema: the shallower schema the router validates
 *   instead. Where validating the full schema costs too much per request (a long chat history
 *   through a {@code oneOf} per message costs milliseconds; docs/benchmarks.md), the router checks the
 *   shape and code checks the rest ({@code ChatRequestCheck}, tested against the full schema).</li>
 * </ul>
 */
public final class RouterContract {

  /** The extension naming the schema the router validates in place of the documented one. */
  public static final String ROUTER_SCHEMA = "x-forge-router-schema";

  private RouterContract() {
  }

  /** Reads the contract file as vertx-openapi would and loads the router's copy of it. */
  public static Future<OpenAPIContract> load(Vertx vertx, String path) {
    return vertx.fileSystem().readFile(path).compose(text -> fromText(vertx, text.toString()));
  }

  /** Loads the router's copy of the contract whose YAML (or JSON) text is given. */
  public static Future<OpenAPIContract> fromText(Vertx vertx, String text) {
    return Utils.yamlStringToJson(text).compose(document -> OpenAPIContract.from(vertx, forRouter(document)));
  }

  /** A copy of the document with the parts above replaced; the document itself is not changed. */
  public static JsonObject forRouter(JsonObject document) {
    JsonObject copy = document.copy();
    JsonObject paths = copy.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && op.getValue("responses") instanceof JsonObject responses) {
          for (String status : responses.fieldNames()) {
            if (responses.getValue(status) instanceof JsonObject response
              && response.getValue("content") instanceof JsonObject content) {
              for (String type : new ArrayList<>(content.fieldNames())) {
                if (!MediaType.isMediaTypeSupported(type)) {
                  content.remove(type);
                }
              }
            }
          }
        }
      }
    }
    return (JsonObject) routerSchemas(copy);
  }

  private static Object routerSchemas(Object node) {
    if (node instanceof JsonObject object) {
      if (object.getValue(ROUTER_SCHEMA) instanceof JsonObject routerSchema) {
        return routerSchemas(routerSchema);
      }
      for (String key : new ArrayList<>(object.fieldNames())) {
        object.put(key, routerSchemas(object.getValue(key)));
      }
      return object;
    }
    if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, routerSchemas(array.getValue(i)));
      }
      return array;
    }
    return node;
  }
}
