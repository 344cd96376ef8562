package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit for the usage ledger. A chat call's usage used to be its own transaction, with its
 * own WAL flush, on a row every call of the same user updates: the flush time (1.6 ms on our CI
 * disk) capped one user at ~600 calls/s. Here events queue while a batch is being written and go
 * together in the next one, so a quiet service writes each event at once and a busy one writes
 * hundreds per transaction. A batch that fails because the database is unreachable stays queued
 * and is retried with backoff (events are idempotent by (user_id, id)); one that fails for any
 * other reason is retried event by event so one bad event cannot hold the others back. Runs on
 * the billing verticle's event loop.
 */
final class UsageBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(UsageBatcher.class);
  static final int MAX_BATCH = 500;
  static final int MAX_QUEUED = 100_000;
  private static final long MAX_BACKOFF_MS = 5_000;

  private record Pending(UsageStore.Entry entry, Promise<Boolean> promise) {
  }

  private final Vertx vertx;
  private final UsageStore store;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final List<Promise<Void>> drained = new ArrayList<>();
  private boolean writing;
  private long retryTimer = -1;
  private int failures;

  UsageBatcher(Vertx vertx, UsageStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** Completes once the event is committed: true when new, false when it was already recorded. */
  Future<Boolean> record(UsageStore.Entry entry) {
    if (queue.size() >= MAX_QUEUED) {
      LOG.error("usage queue full ({} events waiting for the database); event {} refused", queue.size(),
        entry.event().id());
      return Errors.fail(503, "usage_queue_full", "Usage arrives faster than it can be recorded; try again shortly.");
    }
    Promise<Boolean> promise = Promise.promise();
    queue.add(new Pending(entry, promise));
    write();
    return promise.future();
  }

  int queued() {
    return queue.size();
  }

  /** Completes when everything queued so far is written, or failed for good. */
  Future<Void> drain() {
    if (queue.isEmpty() && !writing) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    drained.add(p);
    return p.future();
  }

  private void write() {
    if (writing || retryTimer != -1) {
      return;
    }
    if (queue.isEmpty()) {
      drained.forEach(Promise::tryComplete);
      drained.clear();
      return;
    }
    writing = true;
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
    while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
      batch.add(queue.poll());
    }
    store.record(batch.stream().map(Pending::entry).toList()).onComplete(ar -> {
      if (ar.succeeded()) {
        done(batch, ar.result());
      } else if (Errors.isUnavailable(ar.cause())) {
        retryLater(batch, ar.cause());
      } else if (batch.size() > 1) {
        LOG.warn("usage batch of {} failed ({}); writing its events one by one", batch.size(),
          ar.cause().getClass().getSimpleName());
        oneByOne(batch, 0);
      } else {
        LOG.error("usage event {} not recorded: {}", batch.get(0).entry().event().id(), ar.cause().getMessage());
        batch.get(0).promise().fail(ar.cause());
        writing = false;
        write();
      }
    });
  }

  private void done(List<Pending> batch, boolean[] fresh) {
    if (failures > 0) {
      LOG.info("usage ledger writable again after {} failed attempts", failures);
      failures = 0;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).promise().complete(fresh[i]);
    }
    writing = false;
    write();
  }

  private void retryLater(List<Pending> batch, Throwable cause) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      queue.addFirst(batch.get(i));
    }
    failures++;
    long delay = Math.min(MAX_BACKOFF_MS, 50L << Math.min(failures - 1, 10));
    if (failures == 1 || failures % 20 == 0) {
      LOG.warn("usage ledger unreachable ({}); {} events queued, retrying in {} ms", cause.getClass().getSimpleName(),
        queue.size(), delay);
    }
    writing = false;
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      write();
    });
  }

  /** After a batch failed for a reason other than the database being down: isolate the bad event. */
  private void oneByOne(List<Pending> batch, int i) {
    if (i == batch.size()) {
      writing = false;
      write();
      return;
    }
    Pending p = batch.get(i);
    store.record(List.of(p.entry())).onComplete(ar -> {
      if (ar.succeeded()) {
        p.promise().complete(ar.result()[0]);
        oneByOne(batch, i + 1);
      } else if (Errors.isUnavailable(ar.cause())) {
        retryLater(batch.subList(i, batch.size()), ar.cause());
      } else {
        LOG.error("usage event {} not recorded: {}", p.entry().event().id(), ar.cause().getMessage());
        p.promise().fail(ar.cause());
        oneByOne(batch, i + 1);
      }
    });
  }
}
