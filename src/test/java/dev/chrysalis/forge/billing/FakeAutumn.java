package dev.chrysalis.forge.billing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Autumn speaking the documented wire format (Autumn's published API): RPC-style
 * {@code POST /v1/<resource>.<action>}, bearer secret key, pinned {@code x-api-version}, the
 * error shape {@code {message, code, env}}, 503 with {@code Retry-After}, and
 * {@code 409 duplicate_idempotency_key} on a repeated {@code Idempotency-Key} (a key is reserved
 * when its request arrives and freed when that request fails, as Autumn does). {@code check} and
 * {@code track} create a customer they do not know. A {@code timestamp} later than the fake's own
 * clock is refused with 400 {@code invalid_inputs}; the clock can be set behind the test's.
 * Tests script failures: the next N calls of an action fail (503 or a given status and code), or
 * are applied but answered too late (a timeout).
 */
public final class FakeAutumn implements AutoCloseable {

  public static final String SECRET = "am_sk_test_fake0123456789";

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  final Map<String, JsonObject> customers = new ConcurrentHashMap<>();
  /** How many times a call with this Idempotency-Key was applied (must stay 1). */
  final Map<String, AtomicInteger> appliedByKey = new ConcurrentHashMap<>();
  final List<JsonObject> tracks = new CopyOnWriteArrayList<>();
  final List<JsonObject> attaches = new CopyOnWriteArrayList<>();
  final Map<String, Boolean> allowed = new ConcurrentHashMap<>();
  final Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
  final AtomicInteger conflicts = new AtomicInteger();
  final AtomicInteger checks = new AtomicInteger();
  /** Keys held from the arrival of their request; freed again when that request fails. */
  final Set<String> reservedKeys = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> failNext = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> failNextWith = new ConcurrentHashMap<>();
  private volatile long clockOffsetMs;
  private final Map<String, AtomicInteger> slowNext = new ConcurrentHashMap<>();
  private volatile boolean down;
  private volatile long slowMs = 2_000;

  public FakeAutumn() {
    try {
      server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Every call answers 503 while down. */
  void down(boolean isDown) {
    down = isDown;
  }

  void failNext(String rpc, int n) {
    failNext.computeIfAbsent(rpc, k -> new AtomicInteger()).set(n);
  }

  /** The next n calls of the action answer {@code status} with Autumn's error {@code code}, applying nothing. */
  void failNext(String rpc, int n, int status, String code) {
    failNextWith.put(rpc, new JsonObject().put("status", status).put("code", code));
    failNext(rpc, n);
  }

  /** Autumn's clock runs {@code ms} behind the test's (the service's clock is ahead of Autumn's). */
  void clockBehind(long ms) {
    clockOffsetMs = -ms;
  }

  long now() {
    return System.currentTimeMillis() + clockOffsetMs;
  }

  /** The next n calls of the action are applied but answered only after {@code delayMs}. */
  void slowNext(String rpc, int n, long delayMs) {
    slowMs = delayMs;
    slowNext.computeIfAbsent(rpc, k -> new AtomicInteger()).set(n);
  }

  void subscribe(String customerId, String planId) {
    customer(customerId, null).put("subscriptions", new JsonArray().add(new JsonObject().put("plan_id", planId)
      .put("status", "active").put("current_period_end", Instant.now().plusSeconds(86400 * 30).toEpochMilli())));
  }

  int applied(String key) {
    AtomicInteger n = appliedByKey.get(key);
    return n == null ? 0 : n.get();
  }

  private JsonObject customer(String id, String email) {
    return customers.computeIfAbsent(id, k -> new JsonObject().put("id", k).put("name", null).put("email", email)
      .put("created_at", System.currentTimeMillis()).put("stripe_id", null).put("env", "sandbox")
      .put("metadata", new JsonObject()).put("subscriptions", new JsonArray()).put("balances", new JsonObject()));
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      String auth = req.getHeader("authorization");
      if (auth == null) {
        error(req, 401, "no_secret_key", "Secret key not found");
        return;
      }
      if (!auth.startsWith("Bearer am_sk_")) {
        error(req, 401, "invalid_request", "Invalid secret key format");
        return;
      }
      if (!auth.equals("Bearer " + SECRET)) {
        error(req, 401, "invalid_secret_key", "Invalid secret key");
        return;
      }
      String version = req.getHeader("x-api-version");
      if (version != null) {
        versionsSeen.add(version);
      }
      if (!"2.3.0".equals(version)) {
        error(req, 400, "invalid_api_version", "Invalid API version");
        return;
      }
      if (!req.path().startsWith("/v1/")) {
        error(req, 404, "not_found", "Not found");
        return;
      }
      String rpc = req.path().substring(4);
      String key = req.getHeader("idempotency-key");
      if (key != null && !reservedKeys.add(key)) {
        conflicts.incrementAndGet();
        error(req, 409, "duplicate_idempotency_key", "Another request with this idempotency key was already received");
        return;
      }
      if (down || take(failNext, rpc)) {
        free(key);
        JsonObject scripted = down ? null : failNextWith.get(rpc);
        if (scripted == null || scripted.getInteger("status") == 503) {
          req.response().putHeader("retry-after", "1");
          error(req, 503, "internal_error", "Service unavailable");
        } else {
          error(req, scripted.getInteger("status"), scripted.getString("code"), "Scripted failure");
        }
        return;
      }
      JsonObject body;
      try {
        body = buf.length() == 0 ? new JsonObject() : buf.toJsonObject();
      } catch (RuntimeException e) {
        free(key);
        error(req, 400, "invalid_inputs", "Invalid JSON body");
        return;
      }
      JsonObject result = apply(rpc, body);
      if (result.containsKey("__error")) {
        free(key);
        error(req, result.getInteger("__status"), result.getString("__error"), result.getString("__message"));
        return;
      }
      if (key != null) {
        appliedByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      }
      if (take(slowNext, rpc)) {
        vertx.setTimer(slowMs, t -> json(req, 200, result));
      } else {
        json(req, 200, result);
      }
    });
  }

  private void free(String key) {
    if (key != null) {
      reservedKeys.remove(key);
    }
  }

  private JsonObject apply(String rpc, JsonObject body) {
    String customerId = body.getString("customer_id");
    if (customerId == null) {
      return fail(400, "invalid_inputs", "customer_id is required");
    }
    switch (rpc) {
      case "customers.get_or_create":
        return customer(customerId, body.getString("email")).copy();
      case "customers.get": {
        JsonObject c = customers.get(customerId);
        return c == null ? fail(404, "customer_not_found", "Customer not found") : c.copy();
      }
      case "balances.check": {
        checks.incrementAndGet();
        if (body.getString("feature_id") == null) {
          return fail(400, "invalid_inputs", "feature_id is required");
        }
        customer(customerId, null);
        boolean ok = allowed.getOrDefault(customerId, true);
        return new JsonObject().put("allowed", ok).put("customer_id", customerId).put("entity_id", null)
          .put("required_balance", body.getInteger("required_balance", 1))
          .put("balance", new JsonObject().put("feature_id", body.getString("feature_id")).put("granted", 1000)
            .put("remaining", ok ? 1000 : 0).put("usage", ok ? 0 : 1000).put("unlimited", false)
            .put("overage_allowed", false).put("next_reset_at", null).put("breakdown", new JsonArray()));
      }
      case "balances.track": {
        Object ts = body.getValue("timestamp");
        if (ts != null && (!(ts instanceof Number n) || n.longValue() > now())) {
          return fail(400, "invalid_inputs", "timestamp cannot be in the future");
        }
        customer(customerId, null);
        tracks.add(body);
        return new JsonObject().put("customer_id", customerId).put("value", body.getValue("value", 1))
          .put("balance", null);
      }
      case "billing.attach":
        attaches.add(body);
        return new JsonObject().put("customer_id", customerId)
          .put("payment_url", "https://checkout.stripe.test/c/" + body.getString("plan_id"));
      case "billing.open_customer_portal":
        return new JsonObject().put("customer_id", customerId).put("url", "https://billing.stripe.test/p/" + customerId);
      default:
        return fail(404, "not_found", "Unknown endpoint");
    }
  }

  private static JsonObject fail(int status, String code, String message) {
    return new JsonObject().put("__status", status).put("__error", code).put("__message", message);
  }

  private static boolean take(Map<String, AtomicInteger> counters, String rpc) {
    AtomicInteger n = counters.get(rpc);
    return n != null && n.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0;
  }

  private static void error(HttpServerRequest req, int status, String code, String message) {
    json(req, status, new JsonObject().put("message", message).put("code", code).put("env", "sandbox"));
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    if (!req.response().ended() && !req.response().closed()) {
      req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort
    }
  }
}
