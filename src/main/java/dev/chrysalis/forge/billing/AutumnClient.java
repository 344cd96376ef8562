package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Autumn's RPC API (as Autumn publishes it; docs/operations.md, "Autumn mode"): every call is {@code POST /v1/<resource>.<action>}
 * with a JSON body, the secret key as a bearer token and the API version pinned. Failures are
 * {@link AutumnException}s; the secret never appears in one.
 */
final class AutumnClient {

  static final String API_VERSION = "2.3.0";

  private final WebClient client;
  private final BillingConfig.Autumn config;

  AutumnClient(Vertx vertx, BillingConfig.Autumn config) {
    this.config = config;
    this.client = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) Math.min(config.timeoutMs(), Integer.MAX_VALUE))
      .setUserAgent("chrysalis-forge")
      .setKeepAlive(true));
  }

  Future<JsonObject> getOrCreateCustomer(String customerId, String email, String idempotencyKey) {
    JsonObject body = new JsonObject().put("customer_id", customerId);
    if (email != null) {
      body.put("email", email);
    }
    return call("customers.get_or_create", body, idempotencyKey);
  }

  Future<JsonObject> getCustomer(String customerId) {
    return call("customers.get", new JsonObject().put("customer_id", customerId), null);
  }

  Future<JsonObject> checkBalance(String customerId, String featureId) {
    return call("balances.check", new JsonObject().put("customer_id", customerId).put("feature_id", featureId)
      .put("required_balance", 1), null);
  }

  Future<JsonObject> track(JsonObject payload, String idempotencyKey) {
    return call("balances.track", payload, idempotencyKey);
  }

  Future<JsonObject> attach(JsonObject request) {
    return call("billing.attach", request, null);
  }

  Future<JsonObject> openPortal(String customerId, String returnUrl) {
    JsonObject body = new JsonObject().put("customer_id", customerId);
    if (returnUrl != null) {
      body.put("return_url", returnUrl);
    }
    return call("billing.open_customer_portal", body, null);
  }

  private Future<JsonObject> call(String rpc, JsonObject body, String idempotencyKey) {
    HttpRequest<Buffer> req = client.postAbs(config.apiBase() + "/v1/" + rpc)
      .putHeader("authorization", "Bearer " + config.secretKey())
      .putHeader("x-api-version", API_VERSION)
      .putHeader("accept", "application/json")
      .timeout(config.timeoutMs());
    if (idempotencyKey != null) {
      req.putHeader("idempotency-key", idempotencyKey);
    }
    return req.sendJsonObject(body).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(new AutumnException(0, "unreachable", ar.cause().getClass().getSimpleName()));
      }
      return answer(ar.result());
    });
  }

  private static Future<JsonObject> answer(HttpResponse<Buffer> res) {
    int status = res.statusCode();
    JsonObject json = parse(res.body());
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(json == null ? new JsonObject() : json);
    }
    String code = json == null ? "http_" + status : json.getString("code", "http_" + status);
    String message = json == null ? "HTTP " + status : json.getString("message", "HTTP " + status);
    return Future.failedFuture(new AutumnException(status, code, message));
  }

  private static JsonObject parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return body.toJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  void close() {
    client.close();
  }
}
