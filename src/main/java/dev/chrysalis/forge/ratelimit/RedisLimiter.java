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

/**
 * The Redis backend: one atomic Lua script per check ({@code check.lua}), sent by SHA with
 * EVALSHA; on NOSCRIPT (a restarted or failed-over Redis) it is sent once with EVAL, which also
 * caches it again. Keys are {@code <prefix>:{<subject>}:w} and {@code <prefix>:{<subject>}:d:<epoch day>},
 * hash-tagged so both live in one Redis Cluster slot, and expire by themselves.
 */
final class RedisLimiter implements Limiter {

  static final String SCRIPT = loadScript();
  static final String SHA = sha1(SCRIPT);

  private final Redis redis;
  private final String prefix;

  RedisLimiter(Vertx vertx, String url, String prefix) {
    this.redis = Redis.createClient(vertx, new RedisOptions()
      .setConnectionString(url)
      .setMaxPoolSize(8)
      .setMaxPoolWaiting(1024)
      .setMaxWaitingHandlers(4096)
      .setNetClientOptions(new NetClientOptions().setConnectTimeout(1_000).setTcpNoDelay(true)));
    this.prefix = prefix;
  }

  @Override
  public Future<Decision> check(String subject, Limits limits, long nowMillis) {
    String tagged = prefix + ":{" + subject + "}:";
    String dayKey = tagged + "d:" + UtcDays.epochDay(nowMillis);
    // the day key outlives its day by an hour so a node with a slightly slow clock still sees it
    long dayExpiry = UtcDays.nextMidnightMillis(nowMillis) + 3_600_000L;
    Request evalsha = script(Request.cmd(Command.EVALSHA).arg(SHA), tagged + "w", dayKey, limits, nowMillis, dayExpiry);
    return redis.send(evalsha)
      .recover(t -> isNoScript(t)
        ? redis.send(script(Request.cmd(Command.EVAL).arg(SCRIPT), tagged + "w", dayKey, limits, nowMillis, dayExpiry))
        : Future.failedFuture(t))
      .map(RedisLimiter::decision);
  }

  /** Connects and caches the script, so the first checks pay neither. */
  Future<Void> warmUp() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT)).mapEmpty();
  }

  Future<Void> ping() {
    return redis.send(Request.cmd(Command.PING)).mapEmpty();
  }

  private static Request script(Request r, String windowKey, String dayKey, Limits limits, long nowMillis, long dayExpiry) {
    return r.arg(2).arg(windowKey).arg(dayKey)
      .arg(nowMillis * 1_000L)
      .arg(limits.intervalMicros())
      .arg(limits.capacityMicros())
      .arg(limits.perDay())
      .arg(dayExpiry);
  }

  private static Decision decision(Response r) {
    boolean allowed = r.get(0).toLong() == 1L;
    long deniedBy = r.get(1).toLong();
    long used = r.get(2).toLong();
    long retry = r.get(3).toLong();
    long day = r.get(4).toLong();
    if (allowed) {
      return Decision.allowed(used, day);
    }
    return deniedBy == 2L ? Decision.day(used, day) : Decision.window(used, retry, day);
  }

  private static boolean isNoScript(Throwable t) {
    String m = t.getMessage();
    return m != null && m.startsWith("NOSCRIPT");
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private static String loadScript() {
    try (InputStream in = RedisLimiter.class.getClassLoader().getResourceAsStream("ratelimit/check.lua")) {
      if (in == null) {
        throw new IllegalStateException("ratelimit/check.lua missing from the classpath");
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
