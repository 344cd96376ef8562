package dev.chrysalis.forge.cluster;

import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.function.Consumer;

/**
 * "Drop it here now, and everywhere else within milliseconds" for a per-node cache. Create one in
 * the verticle that owns the cache (its event loop runs {@code drop}); call {@link #invalidate}
 * after the change is committed. On a clustered bus the publish reaches every node; on a
 * standalone one it is just the local drop.
 *
 * <pre>{@code
 * plans = CacheInvalidation.bind(vertx, "forge.billing.plan-changed", "plans", cache::remove);
 * ... store.update(...).onSuccess(v -> plans.invalidate(orgId));
 * }</pre>
 */
public final class CacheInvalidation {

  private final Vertx vertx;
  private final String address;
  private final Consumer<String> drop;
  private final MessageConsumer<String> consumer;

  private CacheInvalidation(Vertx vertx, String address, Consumer<String> drop, MessageConsumer<String> consumer) {
    this.vertx = vertx;
    this.address = address;
    this.drop = drop;
    this.consumer = consumer;
  }

  /**
   * @param address  under {@code forge.}, one per cache ({@code forge.<package>.<what>-changed})
   * @param cache    short name for the {@code forge_cache_invalidations_total{cache=…}} counter
   * @param drop     removes one key (an id) from the local cache
   */
  public static CacheInvalidation bind(Vertx vertx, String address, String cache, Consumer<String> drop) {
    Metrics metrics = Metrics.of(vertx);
    MessageConsumer<String> consumer = vertx.eventBus().<String>consumer(address, msg -> {
      metrics.increment(Metrics.CACHE_INVALIDATIONS, "cache", cache);
      drop.accept(msg.body());
    });
    return new CacheInvalidation(vertx, address, drop, consumer);
  }

  /** Completes once the consumer is registered cluster-wide. */
  public Future<Void> ready() {
    return consumer.completion();
  }

  /** Drops the key locally right away, then tells every node (this one included, harmlessly). */
  public void invalidate(String key) {
    drop.accept(key);
    vertx.eventBus().publish(address, key);
  }

  public Future<Void> close() {
    return consumer.unregister();
  }
}
