package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Other names of an advanced model (dated snapshots, provider prefixes, aliases, case) and names
 * the catalog does not list are gated and priced as their family, or as the provider's most
 * expensive: never basic, never free.
 */
class ModelNameBillingApiTest {

  static final List<String> ADVANCED_NAMES = List.of("gpt-4o-2024-08-06", "openai/gpt-4o-2024-11-20",
    "chatgpt-4o-latest", "o3-2025-04-16", "gpt-4.1-2025-04-14", "GPT-4o");
  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture("CHRYSALIS_DEFAULT_PLAN", "free", "CHRYSALIS_FREE_DAILY_LIMIT", "50");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void aFreeUserIsRefusedEveryOtherNameOfAnAdvancedModelAndNothingIsBilled() throws Exception {
    Users.Registered user = Users.register(f.api);
    int before = f.fake.seen.size();
    for (String name : concat(ADVANCED_NAMES, "gpt-4o-audio-preview", "openai/some-future-model")) {
      Api.Resp r = f.api.call("createChatCompletion").bearer(user.token()).body(GatewayFixture.hello(name)).send()
        .expect(402);
      assertThat(r.error().getString("code")).as(name).isEqualTo("feature_not_available");
      assertThat(r.error().getString("type")).as(name).isEqualTo("payment_required");
    }
    assertThat(f.fake.seen.size()).as("the upstream was never called").isEqualTo(before);
    assertThat(count("SELECT count(*) FROM usage_events WHERE user_id = ?", user.id())).isZero();
    assertThat(count("SELECT count(*) FROM billing_reservations WHERE user_id = ?", user.id())).isZero();
    assertThat(count("SELECT coalesce(sum(used), 0) FROM billing_message_counters WHERE subject_id = ?", user.id()))
      .isZero();
    // the basic family still works under its other names
    Api.Resp ok = f.api.call("createChatCompletion").bearer(user.token())
      .body(GatewayFixture.hello("GPT-4o-mini-2024-07-18")).send().expect(200);
    JsonObject row = f.waitForUsage(user.id(), ok.header("x-request-id"));
    assertThat(row.getString("model")).isEqualTo("gpt-4o-mini");
  }

  @Test
  void aPaidUserIsBilledAtTheFamilyPriceAndTheRequestedNameIsKept() throws Exception {
    Users.Registered user = Users.register(f.api);
    exec("INSERT INTO billing_plan_assignments (subject_type, subject_id, plan_id) VALUES ('user', ?, 'pro')", user.id());
    for (String name : ADVANCED_NAMES) {
      Api.Resp r = f.api.call("createChatCompletion").bearer(user.token()).body(GatewayFixture.hello(name)).send()
        .expect(200);
      JsonObject row = ledger(user.id(), r.json().getString("id"));
      String family = name.toLowerCase().contains("o3") ? "o3" : name.toLowerCase().contains("4.1") ? "gpt-4.1" : "gpt-4o";
      assertThat(row.getString("model")).as(name).isEqualTo(family);
      assertThat(row.getString("requested_model")).as(name).isEqualTo(name);
      // the fake answers 9 prompt and 3 completion tokens
      BigDecimal expected = switch (family) {
        case "gpt-4o" -> new BigDecimal("0.00005250");
        default -> new BigDecimal("0.00004200");
      };
      assertThat(new BigDecimal(row.getString("cost_usd"))).as(name).isEqualByComparingTo(expected);
    }
    // an unlisted OpenAI name costs what OpenAI's most expensive family costs
    Api.Resp r = f.api.call("createChatCompletion").bearer(user.token())
      .body(GatewayFixture.hello("gpt-4o-audio-preview")).send().expect(200);
    JsonObject row = ledger(user.id(), r.json().getString("id"));
    assertThat(row.getString("model")).isEqualTo("openai/gpt-4o-audio-preview");
    assertThat(new BigDecimal(row.getString("cost_usd"))).isEqualByComparingTo(new BigDecimal("0.00005250"));
  }

  @Test
  void aNameNoProviderCanBePlacedIsNotFoundAndCostsNothing() throws Exception {
    Users.Registered user = Users.register(f.api);
    int before = f.fake.seen.size();
    Api.Resp r = f.api.call("createChatCompletion").bearer(user.token()).body(GatewayFixture.hello("llama-3-70b"))
      .send().expect(404);
    assertThat(r.error().getString("code")).isEqualTo("model_not_found");
    assertThat(f.fake.seen.size()).isEqualTo(before);
    assertThat(count("SELECT count(*) FROM billing_reservations WHERE user_id = ?", user.id())).isZero();
  }

  private static List<String> concat(List<String> a, String... more) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(List.of(more));
    return out;
  }

  /** The ledger row of a call by its server id (the completion id the client got), waiting up to 10 s. */
  private static JsonObject ledger(String userId, String callId) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (Connection c = TestDatabase.connect(f.app.databaseUrl());
           PreparedStatement ps = c.prepareStatement(
             "SELECT model, requested_model, cost_usd::text FROM usage_events WHERE user_id = ? AND id = ?")) {
        ps.setString(1, userId);
        ps.setString(2, callId);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return new JsonObject().put("model", rs.getString(1)).put("requested_model", rs.getString(2))
              .put("cost_usd", rs.getString(3));
          }
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no ledger row for " + callId);
      }
      Thread.sleep(50);
    }
  }

  static long count(String sql, String arg) throws Exception {
    try (Connection c = TestDatabase.connect(f.app.databaseUrl()); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void exec(String sql, String arg) throws Exception {
    try (Connection c = TestDatabase.connect(f.app.databaseUrl()); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      ps.executeUpdate();
    }
  }
}
