package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Redis first, exact-or-stricter when Redis is unreachable (the argument is in
 * docs/operations.md, "When Redis is down or slow"):
 *
 * <ul>
 *   <li><b>Unreachable</b> means Redis answered nothing at all for {@code timeoutMs} while a check
 *       waited (a connection error, or no reply to any request), or it lost its data (the instance
 *       marker changed). Waiting behind other checks while Redis answers them is not an outage:
 *       such a check keeps waiting.</li>
 *   <li>Then the node counts on its own with its share of each limit ({@link OutageLimiter}),
 *       tells the other nodes (they do the same), and probes Redis every {@code retryMs}.</li>
 *   <li>When Redis answers again the node first raises Redis's state to everything it knows and
 *       let through (reconcile), then, when other nodes may still be counting on their own, checks
 *       both Redis and its local share for a grace period long enough for every node to
 *       reconcile; then Redis alone.</li>
 * </ul>
 * The limiter itself never fails a request.
 */
final class FailoverLimiter implements Limiter {

  private static final Logger LOG = LoggerFactory.getLogger(FailoverLimiter.class);
  private static final int RECONCILE_BATCH = 256;

  enum State { UP, DOWN, GRACE }

  private final Vertx vertx;
  private final Context context;
  private final RedisLimiter redis;
  private final OutageLimiter outage;
  private final long timeoutMs;
  private final long retryMs;
  private final IntSupplier liveNodes;
  private final Runnable announceDown;
  private volatile State state = State.UP;
  private String instance;
  private int outageNodes = 1;
  private long probeTimer = -1;
  private long graceTimer = -1;
  private boolean probing;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong fallbackChecks = new AtomicLong();
  private final AtomicLong redisErrors = new AtomicLong();
  private final AtomicLong redisChecks = new AtomicLong();
  private final AtomicLong slowChecks = new AtomicLong();
  private final AtomicLong maxCheckMicros = new AtomicLong();
  private final AtomicLong reconciled = new AtomicLong();

  /**
   * @param liveNodes   how many nodes share the limits right now (the cluster's member count)
   * @param announceDown tells the other nodes that Redis is unreachable
   */
  FailoverLimiter(Vertx vertx, RedisLimiter redis, OutageLimiter outage, long timeoutMs, long retryMs,
                  IntSupplier liveNodes, Runnable announceDown) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.redis = redis;
    this.outage = outage;
    this.timeoutMs = timeoutMs;
    this.retryMs = retryMs;
    this.liveNodes = liveNodes;
    this.announceDown = announceDown;
  }

  /** Fallbacks to in-process on /metrics as forge_ratelimit_fallbacks_total. */
  void registerMetrics(Metrics metrics) {
    metrics.counterOf(Metrics.LIMITER_FALLBACKS, fallbacks, "reason", "redis");
  }

  /** Connects, loads the script and learns the instance marker; a failure only means checks start unreachable-aware. */
  Future<Void> warmUp() {
    return redis.warmUp().map(marker -> {
      runOnOwnLoop(() -> {
        if (instance == null) {
          instance = marker;
        }
      });
      return null;
    });
  }

  @Override
  public Future<Decision> check(String subject, Limits limits, long nowMillis) {
    if (limits.unlimited()) {
      return Future.succeededFuture(Decision.allowed(0L, 0L));
    }
    if (state == State.DOWN) {
      return onOwnLoop(() -> Future.succeededFuture(local(subject, limits, nowMillis)));
    }
    Promise<Decision> answer = Promise.promise();
    long started = System.nanoTime();
    redis.ask(subject, limits, nowMillis).onComplete(ar -> runOnOwnLoop(() -> {
      if (ar.failed()) {
        if (!answer.future().isComplete()) {
          redisErrors.incrementAndGet();
          goDown(ar.cause().getClass().getSimpleName(), true);
          answer.complete(local(subject, limits, nowMillis));
        }
        return;
      }
      RedisLimiter.Answer a = ar.result();
      if (!sameInstance(a.instance())) {
        if (!answer.future().isComplete()) {
          goDown("Redis lost its data", true);
          answer.complete(local(subject, limits, nowMillis));
        }
        return;
      }
      // a late answer (after this check was answered locally) is still Redis's latest word
      outage.remember(subject, limits, nowMillis, a.decision());
      if (answer.future().isComplete()) {
        return;
      }
      if (state == State.DOWN) {
        // the node counts on its own since before this answer came: counting it there too is
        // stricter; answering from Redis would let it pass uncounted by the local share
        answer.complete(local(subject, limits, nowMillis));
        return;
      }
      redisChecks.incrementAndGet();
      long micros = (System.nanoTime() - started) / 1_000L;
      maxCheckMicros.accumulateAndGet(micros, Math::max);
      if (micros > timeoutMs * 1_000L) {
        slowChecks.incrementAndGet();
      }
      if (state == State.GRACE && a.decision().allowed()) {
        // other nodes may not have reconciled yet: their share is not in Redis, so keep ours
        answer.complete(outage.check(subject, limits, nowMillis, nodes(), retryMs * 1_000L));
      } else {
        answer.complete(a.decision());
      }
    }));
    watch(answer, subject, limits, nowMillis, redis.answers(), false);
    return answer.future();
  }

  /**
   * Fires every {@code timeoutMs} while the check waits: if Redis answered anything meanwhile the
   * check keeps waiting; if not, once more a millisecond later (replies already read but not yet
   * handled on a busy event loop get their turn), and then Redis counts as unreachable.
   */
  private void watch(Promise<Decision> answer, String subject, Limits limits, long nowMillis, long seen, boolean lastChance) {
    context.runOnContext(v -> vertx.setTimer(lastChance ? 1 : timeoutMs, id -> {
      if (answer.future().isComplete()) {
        return;
      }
      long now = redis.answers();
      if (now != seen) {
        watch(answer, subject, limits, nowMillis, now, false);
      } else if (!lastChance) {
        watch(answer, subject, limits, nowMillis, seen, true);
      } else {
        redisErrors.incrementAndGet();
        goDown("no answer for " + timeoutMs + " ms", true);
        answer.complete(local(subject, limits, nowMillis));
      }
    }));
  }

  private boolean sameInstance(String marker) {
    if (marker.isEmpty()) {
      return false;
    }
    if (instance == null) {
      instance = marker;
    }
    return instance.equals(marker);
  }

  private Decision local(String subject, Limits limits, long nowMillis) {
    fallbackChecks.incrementAndGet();
    return outage.check(subject, limits, nowMillis, nodes(), retryMs * 1_000L);
  }

  /** The most live nodes seen since the outage began: a node that left may have used its share. */
  private int nodes() {
    outageNodes = Math.max(outageNodes, Math.max(1, liveNodes.getAsInt()));
    return outageNodes;
  }

  /** Another node found Redis unreachable: count on our own too until our probe says otherwise. */
  void peerDown() {
    runOnOwnLoop(() -> goDown("another node found Redis unreachable", false));
  }

  private void goDown(String why, boolean announce) {
    if (state == State.DOWN) {
      return;
    }
    if (graceTimer >= 0) {
      vertx.cancelTimer(graceTimer);
      graceTimer = -1;
    }
    if (state == State.UP) {
      outageNodes = 1;
    }
    state = State.DOWN;
    nodes();
    fallbacks.incrementAndGet();
    LOG.warn("Redis unreachable ({}): this node limits with its share of each limit ({} node(s)) until Redis answers",
      why, outageNodes);
    if (announce) {
      announceDown.run();
    }
    if (probeTimer < 0) {
      probeTimer = vertx.setPeriodic(retryMs, id -> probe());
    }
  }

  private void probe() {
    if (probing || state != State.DOWN) {
      return;
    }
    probing = true;
    long probeTimeout = Math.max(timeoutMs, 1_000L);
    redis.warmUp().timeout(probeTimeout, TimeUnit.MILLISECONDS)
      .compose(marker -> onOwnLoop(() -> {
        instance = marker;
        return reconcile(outage.toReconcile(System.currentTimeMillis()), 0).compose(v -> settle());
      }))
      .onComplete(ar -> runOnOwnLoop(() -> probing = false));
  }

  /** Called on the event loop in the same turn that found nothing owed. */
  private void recovered() {
    if (state != State.DOWN) {
      return;
    }
    vertx.cancelTimer(probeTimer);
    probeTimer = -1;
    if (outageNodes > 1) {
      state = State.GRACE;
      long grace = graceMillis();
      graceTimer = vertx.setTimer(grace, id -> {
        graceTimer = -1;
        if (state == State.GRACE) {
          state = State.UP;
          outage.stopCounting();
        }
      });
      LOG.info("Redis answers again: reconciled; checking Redis and this node's share for {} ms, then Redis alone", grace);
    } else {
      state = State.UP;
      outage.stopCounting();
      LOG.info("Redis answers again: reconciled; rate limiting through Redis on this node");
    }
  }

  /** Long enough for every other node's probe to find Redis and reconcile. */
  long graceMillis() {
    return 3 * retryMs + 2 * Math.max(timeoutMs, 1_000L);
  }

  /**
   * Requests let through locally while the last round was on its way are pushed too, round after
   * round, until a check on the event loop finds nothing owed: the state changes in that same turn,
   * so nothing let through locally is ever left out of Redis.
   */
  private Future<Void> settle() {
    return onOwnLoop(() -> {
      List<OutageLimiter.Pending> owed = outage.owed(System.currentTimeMillis());
      if (owed.isEmpty()) {
        recovered();
        return Future.succeededFuture();
      }
      return reconcile(owed, 0).compose(v -> settle());
    });
  }

  private Future<Void> reconcile(List<OutageLimiter.Pending> pending, int from) {
    if (from >= pending.size()) {
      return Future.succeededFuture();
    }
    long now = System.currentTimeMillis();
    List<OutageLimiter.Pending> batch = pending.subList(from, Math.min(pending.size(), from + RECONCILE_BATCH));
    List<Future<Void>> sent = new ArrayList<>(batch.size());
    for (OutageLimiter.Pending p : batch) {
      sent.add(redis.reconcile(p.subject(), now, p.knownTat(), p.localMicros(), p.limits(), p.knownDayCount(),
        p.localDayCount(), p.epochDay()));
    }
    return Future.all(sent)
      .compose(v -> onOwnLoop(() -> {
        outage.markPushed(batch);
        reconciled.addAndGet(batch.size());
        return reconcile(pending, from + RECONCILE_BATCH);
      }));
  }

  /** The in-process state and the timers belong to the verticle's event loop. */
  private <T> Future<T> onOwnLoop(java.util.function.Supplier<Future<T>> work) {
    if (Vertx.currentContext() == context) {
      return work.get();
    }
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(p));
    return p.future();
  }

  private void runOnOwnLoop(Runnable work) {
    if (Vertx.currentContext() == context) {
      work.run();
    } else {
      context.runOnContext(v -> work.run());
    }
  }

  void sweep(long nowMillis) {
    if (state == State.UP) {
      outage.sweep(nowMillis);
    }
  }

  State state() {
    return state;
  }

  boolean redisUp() {
    return state != State.DOWN;
  }

  long fallbacks() {
    return fallbacks.get();
  }

  long fallbackChecks() {
    return fallbackChecks.get();
  }

  long redisErrors() {
    return redisErrors.get();
  }

  long redisChecks() {
    return redisChecks.get();
  }

  long slowChecks() {
    return slowChecks.get();
  }

  long maxCheckMicros() {
    return maxCheckMicros.get();
  }

  long reconciled() {
    return reconciled.get();
  }

  int outageEntries() {
    return outage.size();
  }

  @Override
  public Future<Void> close() {
    if (probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
    }
    if (graceTimer >= 0) {
      vertx.cancelTimer(graceTimer);
    }
    return redis.close();
  }
}
