package dev.chrysalis.forge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.VertxMetricsFactory;
import io.micrometer.core.instrument.config.MeterFilter;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's metrics: one Prometheus registry per Vertx, holding Vert.x's own meters (HTTP
 * server by route and status, event bus, pools, JVM) and ours. Any package records its own
 * through {@code Metrics.of(vertx)}; the names below are the agreed ones (see
 * docs/operations.md), Prometheus adds {@code _total} to counters and {@code _seconds} to timers.
 */
public final class Metrics {

  /** Timer; tags {@code provider}, {@code outcome} (ok | error). One per upstream call. */
  public static final String UPSTREAM_LATENCY = "forge.upstream.latency";
  /** Counter; tags {@code provider}, {@code reason} (status code class, timeout, connect). */
  public static final String UPSTREAM_ERRORS = "forge.upstream.errors";
  /** Counter; tags {@code provider}, {@code model}, {@code direction} (input | output). Fed by usage events. */
  public static final String TOKENS = "forge.tokens";
  /** Counter, no tags: requests the rate limiter refused (RateLimitService's count). */
  public static final String RATE_LIMITED = "forge.ratelimit.limited";
  /** Counter; tag {@code reason}. The limiter fell back from Redis to in-process. */
  public static final String LIMITER_FALLBACKS = "forge.ratelimit.fallbacks";
  /** Gauge; rows waiting in the billing outbox. */
  public static final String OUTBOX_BACKLOG = "forge.billing.outbox.backlog";
  /** Gauge; billing outbox rows parked as failed, waiting for an operator's replay. */
  public static final String OUTBOX_PARKED = "forge.billing.outbox.parked";
  /** Counter; tag {@code reason}. A billing outbox delivery attempt failed. */
  public static final String OUTBOX_FAILURES = "forge.billing.outbox.failures";
  /** Counter; tag {@code reason}. A stored provider key could not be decrypted. */
  public static final String VAULT_DECRYPT_FAILURES = "forge.vault.decrypt.failures";
  /** Counter; tag {@code action}. Security events seen on forge.audit (login.failed, …). */
  public static final String AUDIT_EVENTS = "forge.audit.events";
  /** Counter; tag {@code cache}. Invalidations received over the bus, per cache. */
  public static final String CACHE_INVALIDATIONS = "forge.cache.invalidations";
  /** Counter; completed calls seen on forge.usage.recorded, tags {@code provider}, {@code byok}. */
  public static final String USAGE_EVENTS = "forge.usage.events";

  /** Gauge; bytes of request bodies being received on this node (reserved against its budget). */
  public static final String HTTP_BODY_BYTES = "forge.http.body.bytes.in.flight";
  /** Counter; tag {@code reason} (too_large, client_budget, node_budget, deadline). A body refused while read. */
  public static final String HTTP_BODIES_REFUSED = "forge.http.bodies.refused";
  /** Counter; connections closed at accept because their address had too many open. */
  public static final String HTTP_CONNECTIONS_REFUSED = "forge.http.connections.refused";

  private static final String MAP = "forge.metrics";
  private static final String[] STANDARD_METHODS =
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"};

  /** What {@code ForgeVertx} hands to the Vertx builder. */
  public record Backend(VertxMetricsFactory factory, MicrometerMetricsOptions options, PrometheusMeterRegistry registry) {
  }

  private static final class Holder implements Shareable {
    final PrometheusMeterRegistry registry;

    Holder(PrometheusMeterRegistry registry) {
      this.registry = registry;
    }
  }

  private final PrometheusMeterRegistry registry;

  private Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  /** The metrics backend for a new Vertx, or null when {@code metrics.enabled} is false. */
  public static Backend backendFor(JsonObject config) {
    if (!config.getJsonObject("metrics", new JsonObject()).getBoolean("enabled", true)) {
      return null;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // a client names the request method, and Vert.x accepts any token: only the standard ones
    // become label values, every other is "other" (no series per invented method)
    registry.config().meterFilter(MeterFilter.replaceTagValues("method", m -> "other", STANDARD_METHODS));
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
      .setEnabled(true)
      // a name per Vertx: several nodes in one JVM (tests) must not share meters
      .setRegistryName("forge-" + UUID.randomUUID())
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
      .addLabels(Label.HTTP_ROUTE, Label.HTTP_CODE, Label.HTTP_METHOD, Label.EB_ADDRESS, Label.EB_SIDE,
        Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME)
      // reply addresses are one per request: fold them into one series
      .addLabelMatch(new Match().setDomain(MetricsDomain.EVENT_BUS).setLabel(Label.EB_ADDRESS.toString())
        .setType(MatchType.REGEX).setValue("__vertx\\..*").setAlias("__vertx.reply"));
    return new Backend(new MicrometerMetricsFactory(registry), options, registry);
  }

  /** Makes a Vertx's registry reachable through {@link #of(Vertx)}. */
  public static void attach(Vertx vertx, Backend backend) {
    if (backend != null) {
      map(vertx).put("registry", new Holder(backend.registry()));
    }
  }

  /**
   * The metrics of this Vertx. A Vertx not built by {@code ForgeVertx} (metrics disabled) still
   * gets a registry, with our meters only.
   */
  public static Metrics of(Vertx vertx) {
    LocalMap<String, Holder> map = map(vertx);
    Holder h = map.get("registry");
    if (h == null) {
      Holder fresh = new Holder(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      h = map.putIfAbsent("registry", fresh);
      if (h == null) {
        h = fresh;
      }
    }
    return new Metrics(h.registry);
  }

  private static LocalMap<String, Holder> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Tags as name/value pairs: {@code counter(TOKENS, "provider", "openai", "model", m)}. */
  public Counter counter(String name, String... tags) {
    return Counter.builder(name).tags(tags).register(registry);
  }

  public void increment(String name, String... tags) {
    counter(name, tags).increment();
  }

  public void increment(String name, double amount, String... tags) {
    counter(name, tags).increment(amount);
  }

  public Timer timer(String name, String... tags) {
    return Timer.builder(name).tags(tags).register(registry);
  }

  public void recordNanos(String name, long nanos, String... tags) {
    timer(name, tags).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A counter whose value lives elsewhere (an AtomicLong a package already keeps), read at scrape
   * time. Micrometer holds {@code value} weakly: pass the field itself, not a lambda over it.
   */
  public void counterOf(String name, Number value, String... tags) {
    FunctionCounter.builder(name, value, Number::doubleValue).tags(tags).register(registry);
  }

  /** A gauge read at scrape time; the supplier must be cheap and thread-safe (held strongly). */
  public void gauge(String name, Supplier<Number> value, String... tags) {
    Gauge.builder(name, value).strongReference(true).tags(tags).register(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
