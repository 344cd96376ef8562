package dev.chrysalis.forge.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Redis backend: one atomic Lua script per check ({@code check.lua}), sent by SHA with
 * EVALSHA; on NOSCRIPT (a restarted or failed-over Redis) it is sent once with EVAL, which also
 * caches it again. Keys are {@code <prefix>:{<subject>}:w} and {@code <prefix>:{<subject>}:d:<epoch day>},
 * hash-tagged so both live in one slot, and expire by themselves. Every check also reads the
 * instance marker {@code <prefix>:instance}, which tells a node that Redis lost its data.
 *
 * <p>Connections: a pool sized for bursts, each request holding a connection only for its round
 * trip, and a waiting queue long enough that a burst waits rather than fails. Waiting is not an
 * outage: {@link #answers()} counts every reply, so a caller can tell "Redis is answering others
 * while I wait" from "Redis answers nobody".
 */
final class RedisLimiter implements Limiter {

  static final String SCRIPT = loadScript("ratelimit/check.lua");
  static final String SHA = sha1(SCRIPT);
  static final String RECONCILE = loadScript("ratelimit/reconcile.lua");
  static final String RECONCILE_SHA = sha1(RECONCILE);

  /** Connections per node: enough to keep Redis busy, few enough not to crowd it. */
  static final int POOL_SIZE = 16;
  /** Checks that may wait for a connection before the client refuses them (a refusal counts as unreachable). */
  static final int POOL_WAITING = 16_384;

  /** One check's answer and the instance marker Redis holds ("" when it has none). */
  record Answer(Decision decision, String instance) {
  }

  private final Redis redis;
  private final String prefix;
  private final String instanceKey;
  private final AtomicLong answers = new AtomicLong();

  RedisLimiter(Vertx vertx, String url, String prefix) {
    this.redis = Redis.createClient(vertx, new RedisOptions()
      .setConnectionString(url)
      .setMaxPoolSize(POOL_SIZE)
      .setMaxPoolWaiting(POOL_WAITING)
      .setMaxWaitingHandlers(POOL_WAITING)
      .setNetClientOptions(new NetClientOptions().setConnectTimeout(1_000).setTcpNoDelay(true)));
    this.prefix = prefix;
    this.instanceKey = prefix + ":instance";
  }

  @Override
  public Future<Decision> check(String subject, Limits limits, long nowMillis) {
    return ask(subject, limits, nowMillis).map(Answer::decision);
  }

  Future<Answer> ask(String subject, Limits limits, long nowMillis) {
    String tagged = prefix + ":{" + subject + "}:";
    String dayKey = tagged + "d:" + UtcDays.epochDay(nowMillis);
    Request evalsha = script(Request.cmd(Command.EVALSHA).arg(SHA), tagged + "w", dayKey, limits, nowMillis);
    return send(evalsha)
      .recover(t -> isNoScript(t)
        ? send(script(Request.cmd(Command.EVAL).arg(SCRIPT), tagged + "w", dayKey, limits, nowMillis))
        : Future.failedFuture(t))
      .map(RedisLimiter::answer);
  }

  /**
   * Raises one subject's keys to what a node knows after an outage (see {@code reconcile.lua}):
   * {@code knownTat} the arrival time Redis last reported (0 = none), {@code localMicros} the GCRA
   * time of the requests let through meanwhile, and the same for the day (no day key when
   * {@code perDay} is 0).
   */
  Future<Void> reconcile(String subject, long nowMillis, long knownTat, long localMicros, Limits limits,
                         long knownDayCount, long localDayCount, long epochDay) {
    String tagged = prefix + ":{" + subject + "}:";
    long dayExpiry = limits.hasDayLimit() && epochDay == UtcDays.epochDay(nowMillis) ? dayExpiry(nowMillis) : 0L;
    Request r = Request.cmd(Command.EVAL).arg(RECONCILE).arg(2).arg(tagged + "w").arg(tagged + "d:" + epochDay)
      .arg(nowMillis * 1_000L).arg(knownTat).arg(localMicros)
      .arg(knownDayCount).arg(localDayCount).arg(dayExpiry);
    return send(r).mapEmpty();
  }

  /** Connects, caches the script and makes sure Redis holds an instance marker; returns the marker. */
  Future<String> warmUp() {
    String candidate = UUID.randomUUID().toString();
    return send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
      .compose(v -> send(Request.cmd(Command.SET).arg(instanceKey).arg(candidate).arg("NX")))
      .compose(v -> send(Request.cmd(Command.GET).arg(instanceKey)))
      .map(r -> r == null ? "" : r.toString());
  }

  /** Replies received so far, errors from Redis itself included: proof that Redis is answering. */
  long answers() {
    return answers.get();
  }

  private Future<Response> send(Request r) {
    return redis.send(r).andThen(ar -> {
      if (ar.succeeded() || isRedisError(ar.cause())) {
        answers.incrementAndGet();
      }
    });
  }

  private Request script(Request r, String windowKey, String dayKey, Limits limits, long nowMillis) {
    return r.arg(3).arg(windowKey).arg(dayKey).arg(instanceKey)
      .arg(nowMillis * 1_000L)
      .arg(limits.intervalMicros())
      .arg(limits.capacityMicros())
      .arg(limits.perDay())
      .arg(dayExpiry(nowMillis));
  }

  /** The day key outlives its day by an hour so a node with a slightly slow clock still sees it. */
  private static long dayExpiry(long nowMillis) {
    return UtcDays.nextMidnightMillis(nowMillis) + 3_600_000L;
  }

  private static Answer answer(Response r) {
    boolean allowed = r.get(0).toLong() == 1L;
    long deniedBy = r.get(1).toLong();
    long used = r.get(2).toLong();
    long retry = r.get(3).toLong();
    long day = r.get(4).toLong();
    String instance = r.size() > 5 && r.get(5) != null ? r.get(5).toString() : "";
    Decision d = allowed ? Decision.allowed(used, day)
      : deniedBy == 2L ? Decision.day(used, day) : Decision.window(used, retry, day);
    return new Answer(d, instance);
  }

  private static boolean isNoScript(Throwable t) {
    String m = t.getMessage();
    return m != null && m.startsWith("NOSCRIPT");
  }

  /** An error reply from Redis (as opposed to a connection, pool or timeout failure). */
  private static boolean isRedisError(Throwable t) {
    return t instanceof Response;
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private static String loadScript(String path) {
    try (InputStream in = RedisLimiter.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
