package dev.chrysalis.forge.workspace;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Small helpers the workspace stores share: timestamps out, dynamic WHERE clauses in. */
final class Sql {

  private Sql() {
  }

  static String ts(Row row, String column) {
    OffsetDateTime t = row.getOffsetDateTime(column);
    return t == null ? null : t.toInstant().toString();
  }

  static JsonObject json(Row row, String column) {
    Object v = row.getValue(column);
    return v instanceof JsonObject j ? j : new JsonObject();
  }

  /**
   * Takes the transaction-scoped lock of one per-user cap ({@code kind} of objects, {@code userId}),
   * so a count that follows in the same transaction sees every concurrent creation that got the
   * lock first.
   */
  static io.vertx.core.Future<Void> lockCap(io.vertx.sqlclient.SqlClient c, String kind, String userId) {
    return c.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))")
      .execute(Tuple.of("forge.cap." + kind, userId)).mapEmpty();
  }

  /**
   * Runs {@code work} in a transaction, once more when PostgreSQL ended the first attempt to break
   * a deadlock (two transactions locking overlapping rows in different orders).
   */
  static <T> io.vertx.core.Future<T> transactionRetryingDeadlock(io.vertx.sqlclient.Pool pool,
      java.util.function.Function<io.vertx.sqlclient.SqlConnection, io.vertx.core.Future<T>> work) {
    return pool.withTransaction(work).recover(t -> t instanceof io.vertx.pgclient.PgException pg
      && "40P01".equals(pg.getSqlState()) ? pool.withTransaction(work) : io.vertx.core.Future.failedFuture(t));
  }

  static Row first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  /** Builds {@code WHERE a AND b ...} with positional parameters numbered as they are added. */
  static final class Where {
    private final List<String> clauses = new ArrayList<>();
    private final Tuple params = Tuple.tuple();

    /** Adds a clause; every {@code ?} in it becomes the next {@code $n}. */
    Where and(String clause, Object... values) {
      StringBuilder sb = new StringBuilder();
      int v = 0;
      for (char c : clause.toCharArray()) {
        if (c == '?') {
          params.addValue(values[v++]);
          sb.append('$').append(params.size());
        } else {
          sb.append(c);
        }
      }
      clauses.add(sb.toString());
      return this;
    }

    /** The keyset condition of a newest-first list. */
    Where after(Cursor cursor, String atColumn, String idColumn) {
      return cursor == null ? this : and("(" + atColumn + ", " + idColumn + ") < (?, ?)", cursor.at(), cursor.id());
    }

    String sql() {
      return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
    }

    /** {@code LIMIT n} as a parameter, for the page size plus one. */
    String limit(int n) {
      params.addValue(n);
      return " LIMIT $" + params.size();
    }

    Tuple params() {
      return params;
    }
  }
}
