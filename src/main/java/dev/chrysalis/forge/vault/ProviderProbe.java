package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.outbound.BaseUrlGuard;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live check of a key: one GET of the provider's models list with the key in the provider's
 * own header, bounded by a timeout, no redirects followed, at most {@value #MAX_BODY_BYTES} bytes read.
 * Nothing from the provider's answer (which may echo the key) is passed on except a count.
 */
final class ProviderProbe {

  static final int MAX_BODY_BYTES = 1 << 20;

  enum Outcome { VALID, REJECTED, UNREACHABLE }

  record Result(Outcome outcome, String message) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final long timeoutMs;

  ProviderProbe(Vertx vertx, HttpClient client, long timeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.timeoutMs = timeoutMs;
  }

  Future<Result> check(Provider provider, String key, BaseUrlGuard.Checked base) {
    String url = base.url() + provider.modelsPath();
    RequestOptions options = base.pin(new RequestOptions()
      .setMethod(HttpMethod.GET)
      .setAbsoluteURI(url)
      .setConnectTimeout(timeoutMs)
      .setIdleTimeout(timeoutMs)
      .putHeader("accept", "application/json"));
    switch (provider.auth()) {
      case ANTHROPIC -> options.putHeader("x-api-key", key).putHeader("anthropic-version", "2023-06-01");
      case GOOGLE -> options.putHeader("x-goog-api-key", key);
      default -> {
        if (!key.isEmpty()) {
          options.putHeader("authorization", "Bearer " + key);
        }
      }
    }
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    Future<Result> attempt = client.request(options)
      .compose(req -> {
        sent.set(req);
        return req.send();
      })
      .compose(resp -> readCapped(resp).map(body -> interpret(provider, resp.statusCode(), body)));
    return attempt
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .recover(t -> {
        HttpClientRequest req = sent.get();
        if (req != null) {
          req.reset();
        }
        String message = t instanceof java.util.concurrent.TimeoutException
          || String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("time")
          ? "The provider did not answer within " + seconds(timeoutMs) + "; the key was not checked."
          : "Could not reach the provider; the key was not checked.";
        return Future.succeededFuture(new Result(Outcome.UNREACHABLE, message));
      });
  }

  private static String seconds(long ms) {
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }

  private Future<Buffer> readCapped(HttpClientResponse resp) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    resp.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_BODY_BYTES) {
        resp.request().reset();
        done.tryFail("response too large");
        return;
      }
      body.appendBuffer(chunk);
    });
    resp.exceptionHandler(done::tryFail);
    resp.endHandler(v -> done.tryComplete(body));
    return done.future();
  }

  static Result interpret(Provider provider, int status, Buffer body) {
    if (status >= 200 && status < 300) {
      Integer models = countModels(provider, body);
      return models == null
        ? new Result(Outcome.UNREACHABLE, "The provider answered, but not with a models list; check base_url.")
        : new Result(Outcome.VALID, "The provider accepted the key (" + models + " models available).");
    }
    if (status == 401 || status == 403
      || (provider == Provider.GOOGLE && status == 400 && body.toString().contains("API_KEY_INVALID"))) {
      return new Result(Outcome.REJECTED, "The provider rejected the key (HTTP " + status + ").");
    }
    if (status == 429) {
      return new Result(Outcome.UNREACHABLE, "The provider is rate limiting this key (HTTP 429); try again later.");
    }
    return new Result(Outcome.UNREACHABLE, "The provider answered HTTP " + status + "; the key was not checked.");
  }

  /** Models in the provider's list format, or null when the body is not one. */
  static Integer countModels(Provider provider, Buffer body) {
    try {
      JsonObject json = new JsonObject(body);
      JsonArray list = switch (provider) {
        case GOOGLE, COHERE -> json.getJsonArray("models");
        default -> json.getJsonArray("data");
      };
      return list == null ? null : list.size();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
