package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@link ResponseService} over {@link ResponseStore}. */
final class ResponseServiceImpl implements ResponseService {

  private final ResponseStore store;
  private final int maxPerUser;

  ResponseServiceImpl(ResponseStore store, int maxPerUser) {
    this.store = store;
    this.maxPerUser = maxPerUser;
  }

  @Override
  public Future<JsonObject> save(JsonObject request) {
    return store.insert(request.getString("user_id"), request.getString("org_id"), request.getJsonObject("response"),
        request.getJsonArray("input_items", new JsonArray()), maxPerUser)
      .map(v -> new JsonObject().put("stored", true));
  }

  @Override
  public Future<JsonObject> get(JsonObject request) {
    return store.body(request.getString("user_id"), request.getString("id"))
      .compose(body -> body == null ? notFound(request.getString("id"), "response_id") : Future.succeededFuture(body));
  }

  @Override
  public Future<JsonObject> delete(JsonObject request) {
    String id = request.getString("id");
    return store.delete(request.getString("user_id"), id)
      .compose(deleted -> deleted
        ? Future.succeededFuture(new JsonObject().put("id", id).put("object", "response").put("deleted", true))
        : notFound(id, "response_id"));
  }

  @Override
  public Future<JsonObject> inputItems(JsonObject request) {
    String id = request.getString("id");
    return store.inputItems(request.getString("user_id"), id).compose(items -> {
      if (items == null) {
        return notFound(id, "response_id");
      }
      return page(items, request.getInteger("limit", 20), !"asc".equals(request.getString("order")),
        request.getString("after"));
    });
  }

  /** One page of a response's input items; {@code after} names the item the page starts behind. */
  static Future<JsonObject> page(JsonArray items, int limit, boolean descending, String after) {
    int n = items.size();
    int start = 0;
    if (after != null) {
      int at = -1;
      for (int i = 0; i < n; i++) {
        JsonObject item = items.getJsonObject(descending ? n - 1 - i : i);
        if (after.equals(item.getString("id"))) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return Future.failedFuture(Errors.error(400, "invalid_cursor",
          "'after' must be the id of an input item of this response.", "after"));
      }
      start = at + 1;
    }
    JsonArray data = new JsonArray();
    for (int i = start; i < n && data.size() < limit; i++) {
      data.add(items.getJsonObject(descending ? n - 1 - i : i));
    }
    boolean more = start + data.size() < n;
    return Future.succeededFuture(new JsonObject().put("object", "list").put("data", data)
      .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
      .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id"))
      .put("has_more", more));
  }

  @Override
  public Future<JsonObject> context(JsonObject request) {
    String id = request.getString("id");
    return store.chain(request.getString("user_id"), id).compose(chain -> {
      if (chain.isEmpty()) {
        return notFound(id, "previous_response_id");
      }
      JsonArray items = new JsonArray();
      for (JsonArray[] step : chain) {
        items.addAll(step[0]).addAll(step[1]);
      }
      return Future.succeededFuture(new JsonObject().put("items", items));
    });
  }

  private static <T> Future<T> notFound(String id, String param) {
    String shown = id == null ? "" : id.length() > 100 ? id.substring(0, 100) + "…" : id;
    return Future.failedFuture(Errors.error(404, "response_not_found", "No response with id '" + shown + "' found.",
      param));
  }
}
