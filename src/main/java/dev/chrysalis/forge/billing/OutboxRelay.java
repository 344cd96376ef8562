package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers the outbox to Autumn in the background: claims due rows (several relays may run, one
 * per node; rows are claimed with SKIP LOCKED and a lease), sends each with its id as the
 * Idempotency-Key, and marks it delivered, retries it with exponential backoff and jitter, or
 * parks it as failed when Autumn rejects it for good. Failures a resend can cure (no answer,
 * 408, 429, 5xx) are retried however long they last; {@code customer_not_found} and
 * {@code invalid_inputs} up to {@code max_attempts}. A {@code 409 duplicate_idempotency_key}
 * means an earlier attempt was applied although its answer was lost, so the row counts as
 * delivered. Parked rows stay until an operator replays them. Requests never wait for this.
 */
final class OutboxRelay {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  /** Events older than this when sent carry their own time; younger ones are stamped by Autumn. */
  static final long BACKDATE_AFTER_MS = 5 * 60_000;
  private static final String UNREACHABLE = "unreachable";
  private static final String CONFIRMING = "409 duplicate_idempotency_key, confirming";

  private final Vertx vertx;
  private final OutboxStore store;
  private final AutumnClient autumn;
  private final BillingConfig.Outbox config;
  private final double leaseSeconds;
  private final BillingMetrics metrics;
  private final long confirmAfterMs;
  private long timerId = -1;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private Future<Void> current = Future.succeededFuture();

  OutboxRelay(Vertx vertx, OutboxStore store, AutumnClient autumn, BillingConfig config, BillingMetrics metrics) {
    this.vertx = vertx;
    this.store = store;
    this.autumn = autumn;
    this.config = config.outbox();
    this.metrics = metrics;
    // long enough that a slow call finishes before its row comes due again
    this.leaseSeconds = Math.max(30.0, config.autumn().timeoutMs() * 3 / 1000.0);
    // a timed-out attempt still running at Autumn has ended by then (Autumn's own timeouts are seconds)
    this.confirmAfterMs = Math.max(1_000, config.autumn().timeoutMs() * 2);
  }

  void start() {
    timerId = vertx.setPeriodic(config.intervalMs(), id -> nudge());
    nudge();
  }

  /** Looks for due rows now (after a new row was written) rather than at the next tick. */
  void nudge() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    current = round().onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("outbox round failed: {}", ar.cause().getClass().getSimpleName());
      }
      if (again) {
        again = false;
        nudge();
      }
    });
  }

  /** Stops claiming and waits for the deliveries in flight to be settled. */
  Future<Void> stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return current.recover(t -> Future.succeededFuture());
  }

  private Future<Void> round() {
    return store.claim(config.batch(), leaseSeconds).compose(rows -> {
      List<Future<Void>> all = new ArrayList<>();
      rows.forEach(r -> all.add(deliver(r)));
      return Future.join(all).transform(ar -> {
        if (rows.size() == config.batch() && !stopped) {
          again = true;
        }
        return Future.<Void>succeededFuture();
      });
    });
  }

  private Future<Void> deliver(OutboxStore.Row row) {
    return send(row).transform(ar -> {
      if (ar.succeeded()) {
        metrics.outboxDelivered.incrementAndGet();
        return store.delivered(row.id());
      }
      if (!(ar.cause() instanceof AutumnException ae)) {
        metrics.outboxRetries.incrementAndGet();
        return store.retryLater(row.id(), backoff(row.attempts()), ar.cause().getClass().getSimpleName());
      }
      if (ae.duplicateKey()) {
        if (row.lastError() != null && row.lastError().startsWith(UNREACHABLE)) {
          // Autumn holds a key from the moment a request arrives and frees it if that request
          // fails: right after a timeout the first attempt may still be running. A key still
          // held once that attempt must have ended means it was applied.
          metrics.outboxRetries.incrementAndGet();
          return store.retryLater(row.id(), confirmAfterMs, CONFIRMING);
        }
        metrics.outboxDelivered.incrementAndGet();
        return store.delivered(row.id());
      }
      if (ae.transientFailure()) {
        // never parked: Autumn being down for a day must not lose a day of usage
        metrics.outboxRetries.incrementAndGet();
        return store.retryLater(row.id(), backoff(row.attempts()), ae.summary());
      }
      if (ae.curableRefusal() && row.attempts() < config.maxAttempts()) {
        metrics.outboxRetries.incrementAndGet();
        return store.retryLater(row.id(), backoff(row.attempts()), ae.summary());
      }
      metrics.outboxFailed.incrementAndGet();
      metrics.outboxParked.incrementAndGet();
      LOG.error("outbox row {} ({}) parked as failed after {} attempts: {}", row.id(), row.kind(), row.attempts(),
        ae.summary());
      return store.failed(row.id(), ae.summary());
    });
  }

  private Future<JsonObject> send(OutboxStore.Row row) {
    JsonObject p = row.payload();
    return switch (row.kind()) {
      case "customer" -> autumn.getOrCreateCustomer(p.getString("customer_id"), p.getString("email"), row.id());
      case "track" -> autumn.track(trackBody(row), row.id());
      default -> Future.failedFuture(new AutumnException(400, "unknown_kind", "unknown outbox kind"));
    };
  }

  /**
   * The track call as sent. Autumn refuses a {@code timestamp} later than its own clock, so a
   * fresh event goes without one (Autumn records it on arrival, moments after it happened); an
   * event delivered late (an outage, a parked row replayed) carries when it was written, which
   * is then far enough in the past that no clock skew makes it a future time.
   */
  static JsonObject trackBody(OutboxStore.Row row) {
    JsonObject body = row.payload().copy();
    body.remove("timestamp");
    if (row.ageMs() >= BACKDATE_AFTER_MS) {
      body.put("timestamp", row.createdAtMs());
    }
    return body;
  }

  /** base * 2^(attempts-1), capped, with up to 20% jitter so relays do not retry in lockstep. */
  private long backoff(int attempts) {
    long delay = config.backoffBaseMs() << Math.min(Math.max(attempts - 1, 0), 20);
    delay = Math.min(delay, config.backoffMaxMs());
    return delay + ThreadLocalRandom.current().nextLong(delay / 5 + 1);
  }
}
