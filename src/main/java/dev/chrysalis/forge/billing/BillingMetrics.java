package dev.chrysalis.forge.billing;

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

  JsonObject toJson() {
    return new JsonObject()
      .put("check_fallbacks", checkFallbacks.get())
      .put("plan_fallbacks", planFallbacks.get())
      .put("outbox_delivered", outboxDelivered.get())
      .put("outbox_retries", outboxRetries.get())
      .put("outbox_failed", outboxFailed.get());
  }
}
