package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Tries an upstream call again when it failed before anything reached the client
 * (docs/operations.md, "Gateway"): only after an upstream 408, 409, 429 or 5xx (529 included) or a
 * connection that failed before any answer, at most {@link Settings#maxRetries()} more times.
 * Never after a 2xx (a stream that began is final), never on quota or billing failures (the
 * errors marked {@code should_retry:false}). The wait is what the upstream asked for
 * ({@code retry-after-ms}, then {@code retry-after} in seconds or as an HTTP date) when that is
 * within {@link Settings#maxWaitMs()}; a longer wait is not retried, so the client gets the
 * upstream's retry-after at once. Without a hint: a jittered exponential backoff. A client that
 * goes away during a wait ends the call without another try. Billing is not touched here: the
 * gateway reserves and settles once per client request, however many tries it took.
 */
public final class UpstreamRetry {

  private static final Logger LOG = LoggerFactory.getLogger("forge.gateway");

  /** Backoff without a hint never waits longer than this (as the OpenAI SDK). */
  static final long MAX_BACKOFF_MS = 8_000;

  /** How many extra tries, the first backoff step, and the longest upstream-requested wait honoured. */
  public record Settings(int maxRetries, long baseDelayMs, long maxWaitMs) {

    static Settings from(JsonObject gateway) {
      return new Settings(
        Math.max(0, gateway.getInteger("max_retries", 2)),
        Math.max(0, gateway.getLong("retry_base_ms", 500L)),
        Math.max(0, gateway.getLong("retry_max_wait_ms", 60_000L)));
    }
  }

  /**
   * How one try ended: its outcome, whether the connection failed before any answer, and the
   * upstream's status and headers when it answered (0 and null otherwise).
   */
  record Tried(CallOutcome outcome, boolean connectionFailed, int upstreamStatus, MultiMap upstreamHeaders) {
  }

  private final Vertx vertx;
  private final Settings settings;

  UpstreamRetry(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /**
   * Runs {@code attempt} until it succeeds, fails in a way another try cannot help, or the tries
   * are used up. {@code res} is the client's response, or null when the answer is not streamed to
   * a client (thread chat). {@code provider} names the upstream in the log line of each retry.
   */
  Future<CallOutcome> run(String provider, HttpServerResponse res, Supplier<Future<Tried>> attempt) {
    Promise<CallOutcome> promise = Promise.promise();
    tryOnce(0, provider, res, attempt, promise);
    return promise.future();
  }

  private void tryOnce(int n, String provider, HttpServerResponse res, Supplier<Future<Tried>> attempt,
                       Promise<CallOutcome> promise) {
    attempt.get().onComplete(ar -> {
      if (ar.failed()) {
        promise.fail(ar.cause());
        return;
      }
      Tried tried = ar.result();
      long delay = n < settings.maxRetries() ? delayMs(tried, n, settings, System.currentTimeMillis(),
        ThreadLocalRandom.current().nextDouble()) : -1;
      if (delay < 0 || (res != null && (res.headWritten() || res.closed()))) {
        promise.complete(tried.outcome());
        return;
      }
      LOG.info("retry provider={} upstream_status={} code={} try={} wait_ms={}", provider,
        tried.connectionFailed() ? "-" : tried.upstreamStatus(), tried.outcome().errorCode(), n + 2, delay);
      long[] timer = new long[1];
      if (res != null) {
        // replaced by the next try's own handler as soon as it starts
        res.closeHandler(v -> {
          if (vertx.cancelTimer(timer[0])) {
            promise.complete(cancelled());
          }
        });
      }
      timer[0] = vertx.setTimer(Math.max(1, delay), id -> {
        if (res != null && res.closed()) {
          promise.complete(cancelled());
        } else {
          tryOnce(n + 1, provider, res, attempt, promise);
        }
      });
    });
  }

  /**
   * Nothing was produced, so nothing is billed: the outcome carries an error (never sent, the
   * client is gone) so that the gateway gives the reserved message back.
   */
  private static CallOutcome cancelled() {
    ServiceException e = Errors.error(499, "client_closed_request",
      "The client closed the request while the gateway waited to retry the provider.", null);
    return new CallOutcome(499, Usage.NONE, "client_closed_request", true, e);
  }

  /** Milliseconds to wait before the next try, or -1 when this failure is not retried. */
  static long delayMs(Tried tried, int retriesDone, Settings settings, long nowMs, double random) {
    CallOutcome outcome = tried.outcome();
    ServiceException e = outcome.unanswered();
    if (e == null || outcome.clientCancelled()) {
      return -1;
    }
    JsonObject info = e.getDebugInfo();
    if (info != null && Boolean.FALSE.equals(info.getValue("should_retry"))) {
      return -1;
    }
    if (!tried.connectionFailed() && !retryableStatus(tried.upstreamStatus())) {
      return -1;
    }
    Long asked = asked(tried.upstreamHeaders(), nowMs);
    if (asked != null) {
      return asked <= settings.maxWaitMs() ? asked : -1;
    }
    long step = settings.baseDelayMs() << Math.min(retriesDone, 20);
    return (long) (Math.min(step, MAX_BACKOFF_MS) * (1 - random * 0.25));
  }

  static boolean retryableStatus(int status) {
    return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
  }

  /** The wait the upstream asked for: retry-after-ms, else retry-after (seconds or HTTP date); null if none readable. */
  static Long asked(MultiMap headers, long nowMs) {
    if (headers == null) {
      return null;
    }
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        double v = Double.parseDouble(ms.trim());
        if (Double.isFinite(v)) {
          return Math.max(0, (long) Math.ceil(v));
        }
      } catch (NumberFormatException ignored) {
        // fall through to retry-after
      }
    }
    return UpstreamError.retryAfterMillis(headers.get("retry-after"), nowMs);
  }
}
