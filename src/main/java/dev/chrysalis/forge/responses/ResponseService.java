package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.cluster.LocalServices;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Stored responses on {@value #ADDRESS}. Every read and delete names the user: a response is
 * found only by the user who made it (another user's id answers 404 {@code response_not_found},
 * as an id that never existed). Failures are {@code ServiceException}s whose code is the HTTP
 * status (see docs/event-bus.md).
 */
@ProxyGen
@VertxGen
public interface ResponseService {

  String ADDRESS = "forge.responses";

  static ResponseService createProxy(Vertx vertx) {
    return new ResponseServiceVertxEBProxy(vertx, ADDRESS, LocalServices.options(vertx, ADDRESS, 15_000));
  }

  /** {user_id, org_id?, response (the object answered), input_items:[…]} → {stored:true}. */
  Future<JsonObject> save(JsonObject request);

  /** {user_id, id} → the response object as it was answered; 404 response_not_found. */
  Future<JsonObject> get(JsonObject request);

  /** {user_id, id} → {id, object:"response", deleted:true}; 404 response_not_found. */
  Future<JsonObject> delete(JsonObject request);

  /**
   * {user_id, id, limit (1..100), order (asc|desc), after?} → {object:"list", data, first_id,
   * last_id, has_more}: the input items of that response's own request; 404 response_not_found.
   */
  Future<JsonObject> inputItems(JsonObject request);

  /**
   * {user_id, id} → {items:[…]}: the conversation up to and including that response (each
   * response's input items then its output, oldest first), following previous_response_id at most
   * {@value ResponseStore#MAX_CHAIN} responses back; 404 response_not_found.
   */
  Future<JsonObject> context(JsonObject request);
}
