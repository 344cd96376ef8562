package dev.chrysalis.forge.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.serviceproxy.ServiceException;

import java.util.function.Supplier;

/**
 * Which event-bus services run on this node, so callers here use them without a network hop.
 *
 * <p>Every node deploys every service, and the consumers stay registered cluster-wide (so the TCP
 * bridge and other nodes can reach them). But a clustered send is spread over every node's
 * consumer, and a message sent to a node that is leaving is lost: the leaving node drops a
 * message for an address it no longer serves without replying, and a node that is gone never
 * answers, so the caller waits for its send timeout. Sending {@code localOnly} to the instance on
 * this node avoids both, and a network hop per call.
 *
 * <p>{@link dev.chrysalis.forge.ForgeApp} marks an address {@link #serving} once its verticle is
 * deployed and {@link #stopped} before undeploying it; proxies ask {@link #options} when they are
 * created (after the services they call, in ForgeApp's order).
 */
public final class LocalServices {

  private static final String MAP = "forge.local-services";

  private LocalServices() {
  }

  public static void serving(Vertx vertx, String address) {
    map(vertx).put(address, Boolean.TRUE);
  }

  public static void stopped(Vertx vertx, String address) {
    map(vertx).remove(address);
  }

  public static boolean servedHere(Vertx vertx, String address) {
    return Boolean.TRUE.equals(map(vertx).get(address));
  }

  /** Send options for a proxy of {@code address}: local-only when the service runs on this node. */
  public static DeliveryOptions options(Vertx vertx, String address, long sendTimeoutMs) {
    return new DeliveryOptions().setSendTimeout(sendTimeoutMs).setLocalOnly(servedHere(vertx, address));
  }

  /** Cluster-wide send options: any node's instance may answer. */
  public static DeliveryOptions anyNode(long sendTimeoutMs) {
    return new DeliveryOptions().setSendTimeout(sendTimeoutMs);
  }

  /**
   * For idempotent reads only: calls {@code first}; when its message was lost on the way (no
   * handler where it was sent, or a failure that is not the service's own answer), calls
   * {@code again} once — cluster-wide, so another node's instance can answer.
   */
  public static <T> Future<T> readRetryingOnce(Supplier<Future<T>> first, Supplier<Future<T>> again) {
    return first.get().recover(t -> lostOnTheWay(t) ? again.get() : Future.failedFuture(t));
  }

  /**
   * NO_HANDLERS (nobody serves the address where the message went), or RECIPIENT_FAILURE that is
   * not a {@link ServiceException} (the recipient went away, not the service saying no).
   */
  static boolean lostOnTheWay(Throwable t) {
    if (!(t instanceof ReplyException re) || t instanceof ServiceException) {
      return false;
    }
    return re.failureType() == ReplyFailure.NO_HANDLERS || re.failureType() == ReplyFailure.RECIPIENT_FAILURE;
  }

  private static LocalMap<String, Boolean> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
