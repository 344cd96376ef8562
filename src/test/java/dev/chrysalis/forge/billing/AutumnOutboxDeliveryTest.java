package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static dev.chrysalis.forge.billing.AutumnBillingApiTest.count;
import static dev.chrysalis.forge.billing.AutumnBillingApiTest.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Usage reaches Autumn whatever the clocks say and whatever Autumn answers for a while: Autumn's
 * clock runs a second behind the service's, refusals a resend cures are retried, anything else is
 * parked where an operator sees it (route and metric) and can replay it. Usage goes in through
 * the billing service's proxy.
 */
@ExtendWith(VertxExtension.class)
class AutumnOutboxDeliveryTest {

  private static final String ADMIN_EMAIL = "ops-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static final int MAX_ATTEMPTS = 3;
  private static FakeAutumn autumn;
  private static TestApp app;
  private static Api api;
  private static BillingService billing;
  private static String adminToken;
  private static String adminId;

  @BeforeAll
  static void start() {
    autumn = new FakeAutumn();
    autumn.clockBehind(1_000);
    Map<String, String> env = AutumnBillingApiTest.autumnEnv(autumn);
    env.put("CHRYSALIS_ADMIN_EMAILS", ADMIN_EMAIL);
    env.put("CHRYSALIS_BILLING_OUTBOX_MAX_ATTEMPTS", String.valueOf(MAX_ATTEMPTS));
    app = TestApp.start(env);
    api = app.api();
    billing = BillingService.createProxy(app.vertx());
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", ADMIN_EMAIL).put("password", Users.PASSWORD))
      .send().expect(201).json();
    adminToken = reg.getString("token");
    adminId = reg.getString("id");
    Users.verify(app, new Users.Registered(adminId, ADMIN_EMAIL, adminToken));
  }

  @AfterAll
  static void stop() {
    app.close();
    autumn.close();
  }

  @Test
  void usageIsDeliveredOnTheFirstAttemptWhenTheServiceClockIsAheadOfAutumns(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    JsonObject e = event(u.id(), "gpt-4o-mini");
    String rowId = "trk:" + u.id() + ":" + e.getString("id");
    billing.recordUsage(e)
      .compose(r -> until(() -> autumn.applied(rowId) == 1))
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        JsonObject sent = tracksOf(u.id()).get(0);
        assertThat(sent.containsKey("timestamp")).as("a fresh event carries no timestamp").isFalse();
        assertThat(sent.getJsonObject("properties").getString("request_id")).isEqualTo(e.getString("id"));
        ctx.completeNow();
      })));
    await(ctx);
    AutumnBillingApiTest.eventually("row marked delivered", () -> count(app.databaseUrl(),
      "SELECT COUNT(*) FROM billing_outbox WHERE delivered_at IS NOT NULL AND id = '" + rowId + "'") == 1);
    assertThat(count(app.databaseUrl(), "SELECT attempts FROM billing_outbox WHERE id = '" + rowId + "'")).isEqualTo(1);
  }

  @Test
  void anEventDeliveredLateCarriesTheTimeItWasWrittenWhichAutumnAccepts() {
    long written = System.currentTimeMillis() - OutboxRelay.BACKDATE_AFTER_MS - 60_000;
    JsonObject payload = new JsonObject().put("customer_id", "usr_x").put("feature_id", "messages").put("value", 1)
      .put("timestamp", System.currentTimeMillis() + 5_000);
    JsonObject late = OutboxRelay.trackBody(new OutboxStore.Row("trk:a:b", "track", payload, 3, written,
      OutboxRelay.BACKDATE_AFTER_MS + 60_000, null));
    assertThat(late.getLong("timestamp")).isEqualTo(written);
    JsonObject fresh = OutboxRelay.trackBody(new OutboxStore.Row("trk:a:c", "track", payload, 1,
      System.currentTimeMillis(), 20, null));
    assertThat(fresh.containsKey("timestamp")).as("a timestamp stored by an older version is dropped").isFalse();
    assertThat(payload.containsKey("timestamp")).as("the stored payload is not changed").isTrue();
    assertThat(written).isLessThan(autumn.now());
  }

  @Test
  void refusalsAResendCuresAndOutagesAreRetriedNotParked(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    JsonObject skewed = event(u.id(), "gpt-4o-mini");
    JsonObject outage = event(u.id(), "gpt-4o-mini");
    String skewedRow = "trk:" + u.id() + ":" + skewed.getString("id");
    String outageRow = "trk:" + u.id() + ":" + outage.getString("id");
    autumn.failNext("balances.track", MAX_ATTEMPTS - 1, 400, "invalid_inputs");
    billing.recordUsage(skewed)
      .compose(r -> until(() -> autumn.applied(skewedRow) == 1))
      .compose(v -> {
        // more failed attempts than max_attempts: an outage parks nothing
        autumn.failNext("balances.track", MAX_ATTEMPTS + 2, 503, "internal_error");
        return billing.recordUsage(outage);
      })
      .compose(r -> until(() -> autumn.applied(outageRow) == 1))
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertThat(tracksOf(u.id())).hasSize(2);
        ctx.completeNow();
      })));
    await(ctx);
    AutumnBillingApiTest.eventually("both rows marked delivered", () -> count(app.databaseUrl(),
      "SELECT COUNT(*) FROM billing_outbox WHERE delivered_at IS NOT NULL AND id LIKE 'trk:" + u.id() + ":%'") == 2);
    assertThat(count(app.databaseUrl(), "SELECT attempts FROM billing_outbox WHERE id = '" + skewedRow + "'"))
      .isEqualTo(MAX_ATTEMPTS);
    assertThat(count(app.databaseUrl(), "SELECT attempts FROM billing_outbox WHERE id = '" + outageRow + "'"))
      .isEqualTo(MAX_ATTEMPTS + 3);
    assertThat(count(app.databaseUrl(), "SELECT COUNT(*) FROM billing_outbox WHERE failed_at IS NOT NULL AND id LIKE 'trk:"
      + u.id() + ":%'")).isZero();
    assertThat(autumn.applied(skewedRow)).isEqualTo(1);
    assertThat(autumn.applied(outageRow)).isEqualTo(1);
  }

  @Test
  void parkedRowsAreVisibleToOperatorsAndReplayedExactlyOnce(VertxTestContext ctx) throws Throwable {
    Users.Registered u = Users.register(api);
    JsonObject refused = event(u.id(), "gpt-4o-mini");
    JsonObject conflicting = event(u.id(), "gpt-4o-mini");
    String refusedRow = "trk:" + u.id() + ":" + refused.getString("id");
    String conflictRow = "trk:" + u.id() + ":" + conflicting.getString("id");
    autumn.failNext("balances.track", MAX_ATTEMPTS, 400, "invalid_inputs");
    billing.recordUsage(refused)
      .compose(r -> untilAsync(() -> parked(refusedRow)))
      .compose(v -> {
        // a 409 that is not Autumn's duplicate_idempotency_key says nothing was applied
        autumn.failNext("balances.track", 1, 409, "idempotency_conflict");
        return billing.recordUsage(conflicting);
      })
      .compose(r -> untilAsync(() -> parked(conflictRow)))
      .onComplete(ctx.succeeding(v -> ctx.completeNow()));
    await(ctx);
    assertThat(autumn.applied(refusedRow)).isZero();
    assertThat(autumn.applied(conflictRow)).isZero();

    JsonObject page = api.call("listParkedOutbox").bearer(adminToken).send().expect(200).json();
    List<JsonObject> rows = page.getJsonArray("data").stream().map(o -> (JsonObject) o).toList();
    assertThat(rows).extracting(r -> r.getString("id")).containsExactly(
      refusedRow.compareTo(conflictRow) < 0 ? new String[] {refusedRow, conflictRow} : new String[] {conflictRow, refusedRow});
    JsonObject refusedInfo = rows.stream().filter(r -> r.getString("id").equals(refusedRow)).findFirst().orElseThrow();
    assertThat(refusedInfo.getString("last_error")).isEqualTo("400 invalid_inputs");
    assertThat(refusedInfo.getInteger("attempts")).isEqualTo(MAX_ATTEMPTS);
    assertThat(refusedInfo.getString("customer_id")).isEqualTo(u.id());
    JsonObject conflictInfo = rows.stream().filter(r -> r.getString("id").equals(conflictRow)).findFirst().orElseThrow();
    assertThat(conflictInfo.getString("last_error")).isEqualTo("409 idempotency_conflict");
    assertThat(conflictInfo.getInteger("attempts")).isEqualTo(1);
    JsonObject first = api.call("listParkedOutbox").bearer(adminToken).query("limit", "1").send().expect(200).json();
    assertThat(first.getBoolean("has_more")).isTrue();
    JsonObject second = api.call("listParkedOutbox").bearer(adminToken).query("limit", "1")
      .query("after", first.getString("next_cursor")).send().expect(200).json();
    assertThat(second.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(rows.get(1).getString("id"));
    assertThat(second.getBoolean("has_more")).isFalse();
    assertThat(second.getValue("next_cursor")).isNull();
    assertThat(api.call("getMetrics").send().expect(200).text()).contains("forge_billing_outbox_parked 2.0");

    // not an operator, or bad input: refused in our shape, nothing replayed
    Api.Resp notOperator = api.call("replayParkedOutbox").bearer(u.token()).body(new JsonObject()).send();
    assertThat(notOperator.status()).isEqualTo(403);
    assertThat(notOperator.error().getString("code")).isEqualTo("admin_only");
    assertThat(api.call("listParkedOutbox").bearer(u.token()).send().status()).isEqualTo(403);
    assertThat(api.call("listParkedOutbox").send().status()).isEqualTo(401);
    Api.Resp badCursor = api.call("listParkedOutbox").bearer(adminToken).query("after", "Zm9v").send();
    assertThat(badCursor.status()).isEqualTo(400);
    assertThat(badCursor.error().getString("code")).isEqualTo("invalid_cursor");
    Api.Resp badIds = api.call("replayParkedOutbox").bearer(adminToken)
      .body(new JsonObject().put("ids", new JsonArray().add("trk:x y"))).send();
    assertThat(badIds.status()).isEqualTo(400);
    assertThat(badIds.error().getString("type")).isEqualTo("invalid_request_error");
    Api.Resp badLimit = api.call("replayParkedOutbox").bearer(adminToken).body(new JsonObject().put("limit", 0)).send();
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(count(app.databaseUrl(), "SELECT COUNT(*) FROM billing_outbox WHERE failed_at IS NOT NULL")).isEqualTo(2);

    JsonObject one = api.call("replayParkedOutbox").bearer(adminToken)
      .body(new JsonObject().put("ids", new JsonArray().add(conflictRow).add("trk:unknown:row"))).send().expect(200).json();
    assertThat(one.getInteger("replayed")).isEqualTo(1);
    assertThat(one.getInteger("parked")).isEqualTo(1);
    JsonObject rest = api.call("replayParkedOutbox").bearer(adminToken).send().expect(200).json();
    assertThat(rest.getInteger("replayed")).isEqualTo(1);
    assertThat(rest.getInteger("parked")).isZero();
    AutumnBillingApiTest.eventually("replayed rows delivered", () -> autumn.applied(refusedRow) == 1
      && autumn.applied(conflictRow) == 1);
    AutumnBillingApiTest.eventually("replayed rows marked delivered", () -> count(app.databaseUrl(),
      "SELECT COUNT(*) FROM billing_outbox WHERE delivered_at IS NOT NULL AND id LIKE 'trk:" + u.id() + ":%'") == 2);
    assertThat(api.call("listParkedOutbox").bearer(adminToken).send().expect(200).json().getJsonArray("data")).isEmpty();
    assertThat(api.call("getMetrics").send().expect(200).text()).contains("forge_billing_outbox_parked 0.0");
    assertThat(api.call("replayParkedOutbox").bearer(adminToken).send().expect(200).json().getInteger("replayed")).isZero();
    Thread.sleep(300);
    assertThat(autumn.applied(refusedRow)).isEqualTo(1);
    assertThat(autumn.applied(conflictRow)).isEqualTo(1);
  }

  /** Whether the row is parked, as the operators' listing (through the proxy) tells. */
  private static Future<Boolean> parked(String rowId) {
    return billing.parkedOutbox(adminId, new JsonObject().put("limit", 200))
      .map(p -> p.getJsonArray("data").stream().anyMatch(r -> rowId.equals(((JsonObject) r).getString("id"))));
  }

  private static List<JsonObject> tracksOf(String customerId) {
    return autumn.tracks.stream().filter(t -> customerId.equals(t.getString("customer_id"))).toList();
  }

  private static Future<Void> until(BooleanSupplier condition) {
    return untilAsync(() -> Future.succeededFuture(condition.getAsBoolean()));
  }

  /** Completes once the condition holds, checked every 50 ms on the app's event loop (30 s at most). */
  private static Future<Void> untilAsync(Supplier<Future<Boolean>> condition) {
    Vertx vertx = app.vertx();
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + 30_000;
    check(vertx, condition, deadline, done);
    return done.future();
  }

  private static void check(Vertx vertx, Supplier<Future<Boolean>> condition, long deadline, Promise<Void> done) {
    condition.get().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        done.tryComplete();
      } else if (System.currentTimeMillis() > deadline) {
        done.tryFail(ar.failed() ? ar.cause() : new AssertionError("condition not met within 30 s"));
      } else {
        vertx.setTimer(50, t -> check(vertx, condition, deadline, done));
      }
    });
  }

  private static void await(VertxTestContext ctx) throws Throwable {
    assertThat(ctx.awaitCompletion(60, TimeUnit.SECONDS)).as("test flow completed").isTrue();
    if (ctx.failed()) {
      throw ctx.causeOfFailure();
    }
  }
}
