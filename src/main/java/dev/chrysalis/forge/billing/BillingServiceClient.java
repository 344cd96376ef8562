package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.cluster.LocalServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The {@link BillingService} proxy callers get: this node's BillingService when it runs one (local
 * delivery, see {@link LocalServices}), else any node's; the plan lookups are sent once more,
 * cluster-wide, when their message was lost on the way. Reservations and usage are never resent.
 */
final class BillingServiceClient extends BillingServiceVertxEBProxy {

  private final BillingService anyNode;

  BillingServiceClient(Vertx vertx, long sendTimeoutMs) {
    super(vertx, BillingService.ADDRESS, LocalServices.options(vertx, BillingService.ADDRESS, sendTimeoutMs));
    this.anyNode = new BillingServiceVertxEBProxy(vertx, BillingService.ADDRESS, LocalServices.anyNode(sendTimeoutMs));
  }

  @Override
  public Future<JsonObject> getPlan(String userId, String orgId) {
    return LocalServices.readRetryingOnce(() -> super.getPlan(userId, orgId), () -> anyNode.getPlan(userId, orgId));
  }

  @Override
  public Future<JsonObject> requireFeature(String userId, String orgId, String feature) {
    return LocalServices.readRetryingOnce(() -> super.requireFeature(userId, orgId, feature),
      () -> anyNode.requireFeature(userId, orgId, feature));
  }

  @Override
  public Future<JsonObject> checkModel(String userId, String orgId, String model) {
    return LocalServices.readRetryingOnce(() -> super.checkModel(userId, orgId, model),
      () -> anyNode.checkModel(userId, orgId, model));
  }

  @Override
  public Future<JsonObject> listPlans() {
    return LocalServices.readRetryingOnce(super::listPlans, anyNode::listPlans);
  }
}
