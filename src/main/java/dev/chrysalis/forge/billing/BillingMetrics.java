package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of how billing degraded: answers given from the local view because Autumn did not
 * answer, and the outbox's deliveries. Reported by {@code BillingService.status}. Fallbacks are
 * logged at most once per {@value #LOG_EVERY_MS} ms so an outage does not flood the log.
 */
final class BillingMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(BillingMetrics.class);
  private static final long LOG_EVERY_MS = 30_000;

  final AtomicLong checkFallbacks = new AtomicLong();
  final AtomicLong planFallbacks = new AtomicLong();
  final AtomicLong outboxDelivered = new AtomicLong();
  final AtomicLong outboxRetries = new AtomicLong();
  final AtomicLong outboxFailed = new AtomicLong();
  /** Reservations given back by the sweep because their request never completed. */
  final AtomicLong reservationsExpired = new AtomicLong();
  private final AtomicLong lastFallbackLog = new AtomicLong();

  void fallback(AtomicLong counter, String what, AutumnException cause) {
    long n = counter.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastFallbackLog.get();
    if (now - last >= LOG_EVERY_MS && lastFallbackLog.compareAndSet(last, now)) {
      LOG.warn("Autumn {} failed ({}); answering from the local ledger ({} such fallbacks so far)", what,
        cause.summary(), n);
    }
  }

  /** Rows waiting in the outbox as last counted (refreshed by the verticle). */
  final AtomicLong outboxPending = new AtomicLong();
  /** Rows parked as failed, waiting for an operator, as last counted. */
  final AtomicLong outboxParked = new AtomicLong();

  /** Shows these counters on /metrics under the names agreed in {@link Metrics}. */
  void register(Metrics m) {
    m.counterOf(Metrics.OUTBOX_FAILURES, outboxRetries, "reason", "retry");
    m.counterOf(Metrics.OUTBOX_FAILURES, outboxFailed, "reason", "parked");
    m.counterOf("forge.billing.outbox.delivered", outboxDelivered);
    m.counterOf("forge.billing.autumn.fallbacks", checkFallbacks, "call", "balances.check");
    m.counterOf("forge.billing.autumn.fallbacks", planFallbacks, "call", "customers.get");
    m.gauge(Metrics.OUTBOX_BACKLOG, outboxPending::get);
    m.gauge(Metrics.OUTBOX_PARKED, outboxParked::get);
  }

  /** The reservation sweep's counter, shown in both billing modes. */
  void registerReservations(Metrics m) {
    m.counterOf("forge.billing.reservations.expired", reservationsExpired);
  }

  JsonObject toJson() {
    return new JsonObject()
      .put("check_fallbacks", checkFallbacks.get())
      .put("plan_fallbacks", planFallbacks.get())
      .put("outbox_delivered", outboxDelivered.get())
      .put("outbox_retries", outboxRetries.get())
      .put("outbox_failed", outboxFailed.get())
      .put("reservations_expired", reservationsExpired.get());
  }
}
