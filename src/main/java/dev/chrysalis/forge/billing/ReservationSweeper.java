package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives back the messages of reservations whose request died (the process crashed between
 * reserveMessage and recordUsage / releaseMessage): every {@code interval}, reservations open for
 * longer than {@code maxAge} (well above the longest request) are released, a batch at a time.
 * Every node runs one; {@link BillingStore#releaseStale} makes that safe and idempotent.
 */
final class ReservationSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(ReservationSweeper.class);
  static final int BATCH = 500;

  private final Vertx vertx;
  private final BillingStore store;
  private final BillingConfig.Reservations config;
  private final AtomicLong released;
  private final int batch;
  private long timerId = -1;
  private Future<Integer> current = Future.succeededFuture(0);

  ReservationSweeper(Vertx vertx, BillingStore store, BillingConfig.Reservations config, AtomicLong released, int batch) {
    this.vertx = vertx;
    this.batch = batch;
    this.store = store;
    this.config = config;
    this.released = released;
  }

  void start() {
    timerId = vertx.setPeriodic(config.sweepIntervalMs(), id -> {
      if (current.isComplete()) {
        current = sweep();
      }
    });
  }

  /** One round: batches until fewer than a batch are left. The number released. */
  Future<Integer> sweep() {
    return sweepFrom(0).onFailure(t -> LOG.warn("reservation sweep failed: {}", t.getClass().getSimpleName()));
  }

  private Future<Integer> sweepFrom(int total) {
    return store.releaseStale(Duration.ofMillis(config.maxAgeMs()), batch).compose(n -> {
      if (n > 0) {
        released.addAndGet(n);
        LOG.info("released {} reservations older than {} s whose request never completed", n, config.maxAgeMs() / 1000);
      }
      return n == batch ? sweepFrom(total + n) : Future.succeededFuture(total + n);
    });
  }

  Future<Void> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return current.<Void>mapEmpty().recover(t -> Future.succeededFuture());
  }
}
