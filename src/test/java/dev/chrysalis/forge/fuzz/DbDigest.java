package dev.chrysalis.forge.fuzz;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A digest of every table of the service (per table: its row count and the sum of 64-bit hashes of
 * its rows as JSON), to tell
 * whether a refused request changed anything. Some tables and columns change on refusal by
 * design and are left out; each has its reason in {@link #IGNORED_TABLES} / {@link #IGNORED_COLUMNS}.
 */
final class DbDigest {

  /** Tables a refused request legitimately writes. */
  static final Map<String, String> IGNORED_TABLES = Map.of(
    "flyway_schema_history", "migrations, not data",
    "login_failures", "a refused login is counted towards the lockout",
    "login_throttle", "a refused login is counted towards the per-account throttle",
    "audit_events", "refusals that matter to security (login.failed, permission denied) are audited",
    "rate_limit_days", "day counters count every request before validation, invalid ones included");

  /** Columns a refused request legitimately writes, per table. */
  static final Map<String, List<String>> IGNORED_COLUMNS = Map.of(
    "api_keys", List.of("last_used_at"));

  private final Connection conn;
  private long nanos;
  private int takes;
  private final List<String> tables = new ArrayList<>();

  DbDigest(Connection conn) throws Exception {
    this.conn = conn;
    try (Statement s = conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")) {
      while (rs.next()) {
        if (!IGNORED_TABLES.containsKey(rs.getString(1))) {
          tables.add(rs.getString(1));
        }
      }
    }
    if (tables.size() < 10) {
      throw new IllegalStateException("expected the service's tables, found " + tables);
    }
  }

  /** table → its digest. */
  Map<String, String> take() throws Exception {
    Map<String, String> out = new TreeMap<>();
    StringBuilder sql = new StringBuilder();
    for (String t : tables) {
      String row = "to_jsonb(t)";
      for (String c : IGNORED_COLUMNS.getOrDefault(t, List.of())) {
        row = "(" + row + " - '" + c + "')";
      }
      if (sql.length() > 0) {
        sql.append(" UNION ALL ");
      }
      // an order-free sum of row hashes: no sort, so a digest stays cheap while the tables grow
      sql.append("SELECT '").append(t).append("', count(*) || ':' || coalesce(sum(hashtextextended(").append(row)
        .append("::text, 0)::numeric), 0) FROM ").append(t).append(" t");
    }
    long started = System.nanoTime();
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    nanos += System.nanoTime() - started;
    takes++;
    return out;
  }

  /** How many digests were taken and what they cost, for the run's summary. */
  String cost() {
    return takes + " digests, " + (takes == 0 ? 0 : nanos / takes / 1_000) + " µs each";
  }

  /** The tables whose digest differs. */
  static List<String> changed(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    after.forEach((t, d) -> {
      if (!d.equals(before.get(t))) {
        out.add(t);
      }
    });
    return out;
  }
}
