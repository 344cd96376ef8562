package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.time.OffsetDateTime;
import java.util.function.Function;

/** A list request ({@code limit}, {@code after}) and the {@code {data, has_more, next_cursor}} answer. */
record Page(int limit, Cursor after) {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;

  static Page from(JsonObject request) throws ServiceException {
    Object raw = request.getValue("limit");
    int limit = DEFAULT_LIMIT;
    if (raw != null) {
      long n;
      try {
        n = raw instanceof Number num ? num.longValue() : Long.parseLong(raw.toString());
      } catch (NumberFormatException e) {
        throw Errors.error(400, "invalid_limit", "limit must be an integer from 1 to " + MAX_LIMIT + ".", "limit");
      }
      if (n < 1 || n > MAX_LIMIT) {
        throw Errors.error(400, "invalid_limit", "limit must be an integer from 1 to " + MAX_LIMIT + ".", "limit");
      }
      limit = (int) n;
    }
    return new Page(limit, Cursor.decode(request.getString("after")));
  }

  /** Rows were fetched with {@code LIMIT limit + 1}; the extra one only tells that more exist. */
  JsonObject answer(RowSet<Row> rows, Function<Row, JsonObject> json, String atColumn, String idColumn) {
    JsonArray data = new JsonArray();
    boolean more = false;
    OffsetDateTime lastAt = null;
    String lastId = null;
    for (Row row : rows) {
      if (data.size() == limit) {
        more = true;
        break;
      }
      data.add(json.apply(row));
      lastAt = row.getOffsetDateTime(atColumn);
      lastId = row.getString(idColumn);
    }
    return new JsonObject().put("data", data).put("has_more", more)
      .put("next_cursor", more ? Cursor.encode(lastAt, lastId) : null);
  }
}
