package dev.chrysalis.forge.responses;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** All SQL on {@code responses}. Every query but the insert names the owning user. */
public final class ResponseStore {

  /** How many responses back a previous_response_id chain is followed. */
  public static final int MAX_CHAIN = 100;

  private final Pool pool;

  public ResponseStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores one response; with {@code cap > 0}, the user's oldest beyond {@code cap} are deleted in
   * the same transaction, so a user never holds more than {@code cap}.
   */
  public Future<Void> insert(String userId, String orgId, JsonObject response, JsonArray inputItems, int cap) {
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO responses (id, user_id, org_id, "
          + "previous_response_id, model, status, input_items, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .execute(Tuple.of(response.getString("id"), userId, orgId, response.getString("previous_response_id"),
          response.getString("model"), response.getString("status"), inputItems, response))
        .compose(v -> cap <= 0 ? Future.succeededFuture() : conn.preparedQuery("DELETE FROM responses WHERE id IN "
            + "(SELECT id FROM responses WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2)")
          .execute(Tuple.of(userId, cap))))
      .mapEmpty();
  }

  /** The stored body, or null. */
  public Future<JsonObject> body(String userId, String id) {
    return pool.preparedQuery("SELECT body FROM responses WHERE id = $1 AND user_id = $2")
      .execute(Tuple.of(id, userId))
      .map(rows -> rows.size() == 0 ? null : (JsonObject) rows.iterator().next().getValue(0));
  }

  /** The stored input items, or null. */
  public Future<JsonArray> inputItems(String userId, String id) {
    return pool.preparedQuery("SELECT input_items FROM responses WHERE id = $1 AND user_id = $2")
      .execute(Tuple.of(id, userId))
      .map(rows -> rows.size() == 0 ? null : (JsonArray) rows.iterator().next().getValue(0));
  }

  public Future<Boolean> delete(String userId, String id) {
    return pool.preparedQuery("DELETE FROM responses WHERE id = $1 AND user_id = $2")
      .execute(Tuple.of(id, userId))
      .map(rows -> rows.rowCount() > 0);
  }

  /**
   * The chain ending at {@code id}, oldest first, each as (input items, output); empty when the
   * user has no such response. A response whose predecessor was deleted starts the chain.
   */
  public Future<List<JsonArray[]>> chain(String userId, String id) {
    return pool.preparedQuery("WITH RECURSIVE chain AS ("
        + " SELECT previous_response_id, input_items, body -> 'output' AS output, 1 AS depth"
        + " FROM responses WHERE id = $1 AND user_id = $2"
        + " UNION ALL"
        + " SELECT r.previous_response_id, r.input_items, r.body -> 'output', c.depth + 1"
        + " FROM responses r JOIN chain c ON r.id = c.previous_response_id AND r.user_id = $2"
        + " WHERE c.depth < $3)"
        + " SELECT input_items, output FROM chain ORDER BY depth DESC")
      .execute(Tuple.of(id, userId, MAX_CHAIN))
      .map(rows -> {
        List<JsonArray[]> out = new ArrayList<>();
        for (Row r : rows) {
          Object output = r.getValue(1);
          out.add(new JsonArray[] {(JsonArray) r.getValue(0), output instanceof JsonArray a ? a : new JsonArray()});
        }
        return out;
      });
  }
}
