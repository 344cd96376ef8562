package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /billing/usage?period=last30}: the last 30 days in total, by model and by day and model. */
class UsageByDayApiTest {

  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    app = TestApp.shared();
    api = app.api();
  }

  private static void seed(String userId, String orgKey, LocalDate day, String model, long messages, long in, long out,
                           String cost) throws Exception {
    try (Connection c = TestDatabase.connect(app.databaseUrl()); PreparedStatement ps = c.prepareStatement(
      "INSERT INTO usage_daily (user_id, org_key, day, model, messages, input_tokens, output_tokens, cost_usd) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?::numeric)")) {
      ps.setString(1, userId);
      ps.setString(2, orgKey);
      ps.setObject(3, day);
      ps.setString(4, model);
      ps.setLong(5, messages);
      ps.setLong(6, in);
      ps.setLong(7, out);
      ps.setString(8, cost);
      ps.executeUpdate();
    }
  }

  @Test
  void last30DaysSplitByDayAndModel() throws Exception {
    Users.Registered u = Users.register(api);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    seed(u.id(), "", today, "gpt-4o-mini", 3, 30, 60, "0.003");
    seed(u.id(), "", today, "claude-3-5-haiku", 1, 10, 20, "0.010");
    seed(u.id(), "", today.minusDays(29), "gpt-4o-mini", 2, 20, 40, "0.002");
    // outside the window, and use inside an org: neither counts as personal use of the last 30 days
    seed(u.id(), "", today.minusDays(30), "gpt-4o-mini", 100, 1000, 1000, "1.0");
    seed(u.id(), "org_elsewhere", today, "gpt-4o-mini", 50, 500, 500, "0.5");

    JsonObject usage = api.call("getBillingUsage").bearer(u.token()).query("period", "last30").send().expect(200).json();
    assertThat(usage.getString("period")).isEqualTo("last30");
    assertThat(usage.getString("from")).isEqualTo(today.minusDays(29).toString());
    assertThat(usage.getString("to")).isEqualTo(today.toString());
    assertThat(usage.getLong("messages")).isEqualTo(6);
    assertThat(usage.getLong("tokens")).isEqualTo(180);
    assertThat(usage.getDouble("cost_usd")).isCloseTo(0.015, org.assertj.core.data.Offset.offset(1e-9));

    JsonArray byModel = usage.getJsonArray("by_model");
    assertThat(byModel).hasSize(2);
    JsonObject mini = byModel.getJsonObject(1);
    assertThat(mini.getString("model")).isEqualTo("gpt-4o-mini");
    assertThat(mini.getLong("messages")).isEqualTo(5);
    assertThat(mini.getLong("tokens")).isEqualTo(150);

    JsonArray byDay = usage.getJsonArray("by_day");
    assertThat(byDay).hasSize(3);
    JsonObject first = byDay.getJsonObject(0);
    assertThat(first.getString("day")).isEqualTo(today.minusDays(29).toString());
    assertThat(first.getString("model")).isEqualTo("gpt-4o-mini");
    assertThat(first.getLong("messages")).isEqualTo(2);
    assertThat(first.getLong("input_tokens")).isEqualTo(20);
    assertThat(first.getLong("output_tokens")).isEqualTo(40);
    assertThat(first.getDouble("cost_usd")).isCloseTo(0.002, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(byDay.getJsonObject(1).getString("day")).isEqualTo(today.toString());
    assertThat(byDay.getJsonObject(1).getString("model")).isEqualTo("claude-3-5-haiku");
    assertThat(byDay.getJsonObject(2).getString("model")).isEqualTo("gpt-4o-mini");
    assertThat(byDay.getJsonObject(2).getLong("messages")).isEqualTo(3);
  }

  @Test
  void otherPeriodsCarryByDayToo() {
    Users.Registered u = Users.register(api);
    JsonObject usage = api.call("getBillingUsage").bearer(u.token()).query("period", "current").send().expect(200).json();
    assertThat(usage.getJsonArray("by_day")).isEmpty();
    assertThat(usage.getLong("messages")).isZero();
  }

  @Test
  void unknownPeriodIsRefusedInOurShapeAndChangesNothing() throws Exception {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.call("getBillingUsage").bearer(u.token()).query("period", "last31").send();
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getString("type")).isEqualTo("invalid_request_error");
    assertThat(r.error().getString("message")).isNotBlank();
    try (Connection c = TestDatabase.connect(app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage_daily WHERE user_id = '" + u.id() + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }
}
