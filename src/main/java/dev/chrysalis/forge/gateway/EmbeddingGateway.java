package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.logging.LogText;
import dev.chrysalis.forge.outbound.BaseUrlGuard;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * {@code POST /v1/embeddings} for every provider with embeddings (OpenAI, Mistral, Cohere, Google,
 * Ollama, vLLM, custom). The model is routed by the same catalog as chat; the plan's model gate
 * applies (an advanced-tier model needs {@code advanced_models}), but an embedding call takes no
 * chat message of the daily quota: it is billed by its input tokens at the catalog's price and
 * recorded in the usage ledger like a chat call (its own {@code emb-…} id, the client's
 * x-request-id for correlation). The provider key comes from the vault (user's, org's, service's);
 * a user-supplied base URL is checked at connect time as for chat.
 */
public final class EmbeddingGateway {

  private static final Logger CALLS = LoggerFactory.getLogger("forge.gateway");

  private final ChatGateway gateway;

  public EmbeddingGateway(ChatGateway gateway) {
    this.gateway = gateway;
  }

  public Future<JsonObject> embed(JsonObject body, ChatGateway.Caller caller) {
    long start = System.nanoTime();
    EmbeddingRequest request;
    ModelRoute route;
    try {
      EmbeddingRequest read = EmbeddingRequest.read(body);
      ModelRoute routed = gateway.router().route(read.model());
      if (routed.catalog() != null && !routed.catalog().embedding()) {
        throw EmbeddingRequest.bad("model", "'" + LogText.bounded(read.model(), 100)
          + "' is a chat model, not an embedding model");
      }
      request = read;
      route = routed;
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    String id = "emb-" + UUID.randomUUID().toString().replace("-", "");
    String billed = route.model().id();
    // the call holds an upstream connection like a chat call, so it takes a slot of the same per-user cap
    Future<JsonObject> model = gateway.billing().checkModel(caller.userId(), caller.orgId(), billed);
    Future<JsonObject> plan = gateway.billing().getPlan(caller.userId(), caller.orgId());
    Runnable[] slot = {null};
    return Future.all(model, plan)
      .compose(both -> gateway.takeSlot(caller, plan.result().getString("plan_id")))
      .compose(release -> {
        slot[0] = release;
        return gateway.vault().resolve(new JsonObject().put("user_id", caller.userId())
          .put("provider", route.provider()).put("org_id", caller.orgId()).put("prefer_byok", true));
      })
      .map(Credentials::from)
      .compose(credentials -> {
        UpstreamCall up = EmbeddingFormats.request(route.provider(), route.upstreamModel(), request, credentials);
        return send(route.provider(), up, credentials).map(raw -> {
          EmbeddingFormats.Vectors v;
          try {
            v = EmbeddingFormats.response(route.provider(), raw, request);
          } catch (RuntimeException e) {
            throw Errors.error(502, "upstream_error",
              "The " + route.provider() + " provider sent embeddings this gateway cannot read.", null);
          }
          record(id, caller, billed, route, credentials, v);
          log(route, caller, 200, v.inputTokens(), start);
          return answer(request, v);
        });
      })
      .onComplete(ar -> {
        if (slot[0] != null) {
          slot[0].run();
        }
      })
      .onFailure(t -> log(route, caller, t instanceof ServiceException e ? e.failureCode() : 500, 0, start));
  }

  private static JsonObject answer(EmbeddingRequest request, EmbeddingFormats.Vectors v) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < v.vectors().size(); i++) {
      JsonArray vector = v.vectors().get(i);
      data.add(new JsonObject().put("object", "embedding").put("index", i)
        .put("embedding", request.base64() ? EmbeddingFormats.base64(vector) : vector));
    }
    return new JsonObject().put("object", "list").put("data", data).put("model", request.model())
      .put("usage", new JsonObject().put("prompt_tokens", v.inputTokens()).put("total_tokens", v.inputTokens()));
  }

  private void record(String id, ChatGateway.Caller caller, String billed, ModelRoute route, Credentials credentials,
                      EmbeddingFormats.Vectors v) {
    gateway.record(new JsonObject()
      .put("id", id)
      .put("client_request_id", caller.requestId())
      .put("user_id", caller.userId())
      .put("org_id", caller.orgId())
      .put("model", billed)
      .put("requested_model", route.requested())
      .put("provider", route.provider())
      .put("input_tokens", v.inputTokens())
      .put("output_tokens", 0L)
      .put("estimated", v.estimated())
      .put("kind", "embedding")
      .put("is_byok", credentials.byok())
      .put("provider_key_id", credentials.providerKeyId()), false);
  }

  /** One non-streamed POST, bounded like a chat answer (connect, first byte, size), no retries. */
  private Future<Buffer> send(String provider, UpstreamCall up, Credentials credentials) {
    ChatProxy proxy = gateway.proxy();
    GatewayConfig config = proxy.config();
    BaseUrlGuard guard = proxy.guard();
    Future<BaseUrlGuard.Checked> target = credentials.userSuppliedBase() && !guard.allowPrivate()
      ? guard.check(credentials.baseUrl())
      : Future.succeededFuture(new BaseUrlGuard.Checked(credentials.baseUrl(), null, null));
    return target.compose(checked -> proxy.client().request(checked.pin(new RequestOptions()
          .setMethod(HttpMethod.POST).setAbsoluteURI(up.url()).setHeaders(up.headers())
          .setConnectTimeout(config.connectTimeoutMs()).setIdleTimeout(config.firstByteTimeoutMs())))
        .recover(t -> Future.failedFuture(UpstreamError.transport(provider, t)))
        .compose(req -> req.send(up.body()).recover(t -> Future.failedFuture(UpstreamError.transport(provider, t))))
        .compose(resp -> body(provider, resp, config.maxResponseBytes())
          .compose(raw -> resp.statusCode() >= 200 && resp.statusCode() < 300 ? Future.succeededFuture(raw)
            : Future.failedFuture(UpstreamError.of(provider, resp.statusCode(), raw, resp.getHeader("retry-after"),
              credentials)))));
  }

  private static Future<Buffer> body(String provider, HttpClientResponse resp, long max) {
    long length = resp.getHeader("content-length") == null ? -1 : parse(resp.getHeader("content-length"));
    if (length > max) {
      resp.request().reset();
      return Future.failedFuture(tooLarge(provider));
    }
    Buffer body = Buffer.buffer();
    io.vertx.core.Promise<Buffer> done = io.vertx.core.Promise.promise();
    resp.handler(chunk -> {
      if (body.length() + chunk.length() > max) {
        resp.request().reset();
        done.tryFail(tooLarge(provider));
        return;
      }
      body.appendBuffer(chunk);
    });
    resp.exceptionHandler(t -> done.tryFail(UpstreamError.transport(provider, t)));
    resp.endHandler(v -> done.tryComplete(body));
    return done.future();
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static ServiceException tooLarge(String provider) {
    return Errors.error(502, "upstream_response_too_large",
      "The " + provider + " provider sent an answer larger than this gateway accepts.", null);
  }

  private static void log(ModelRoute route, ChatGateway.Caller caller, int status, long tokens, long start) {
    if (CALLS.isInfoEnabled()) {
      CALLS.info("embeddings provider={} model={} status={} in={} ms={} id={} user={}",
        route == null ? "-" : route.provider(), route == null ? "-" : LogText.bounded(route.upstreamModel(), 100),
        status, tokens, (System.nanoTime() - start) / 1_000_000, caller.requestId(), caller.userId());
    }
  }
}
