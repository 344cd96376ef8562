package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.cluster.LocalServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The {@link BillingService} proxy callers get: this node's BillingService when it runs one (local
 * delivery, see {@link LocalServices}), else any node's; the plan lookups are sent once more,
 * cluster-wide, when their message was lost on the way. Reservations and usage are never resent.
 *
 * <p>Where to send is decided on every call, not when the proxy is made: auth and workspace are
 * deployed before billing (billing calls them), so a choice made at their start would send every
 * later call cluster-wide, some of them to a node that has died.
 */
final class BillingServiceClient implements BillingService {

  private final Vertx vertx;
  private final BillingService here;
  private final BillingService anyNode;

  BillingServiceClient(Vertx vertx, long sendTimeoutMs) {
    this.vertx = vertx;
    this.here = new BillingServiceVertxEBProxy(vertx, ADDRESS, LocalServices.anyNode(sendTimeoutMs).setLocalOnly(true));
    this.anyNode = new BillingServiceVertxEBProxy(vertx, ADDRESS, LocalServices.anyNode(sendTimeoutMs));
  }

  private BillingService target() {
    return LocalServices.servedHere(vertx, ADDRESS) ? here : anyNode;
  }

  @Override
  public Future<JsonObject> getPlan(String userId, String orgId) {
    return LocalServices.readRetryingOnce(() -> target().getPlan(userId, orgId), () -> anyNode.getPlan(userId, orgId));
  }

  @Override
  public Future<JsonObject> requireFeature(String userId, String orgId, String feature) {
    return LocalServices.readRetryingOnce(() -> target().requireFeature(userId, orgId, feature),
      () -> anyNode.requireFeature(userId, orgId, feature));
  }

  @Override
  public Future<JsonObject> checkModel(String userId, String orgId, String model) {
    return LocalServices.readRetryingOnce(() -> target().checkModel(userId, orgId, model),
      () -> anyNode.checkModel(userId, orgId, model));
  }

  @Override
  public Future<JsonObject> listPlans() {
    return LocalServices.readRetryingOnce(() -> target().listPlans(), anyNode::listPlans);
  }

  @Override
  public Future<JsonObject> reserveMessage(JsonObject request) {
    return target().reserveMessage(request);
  }

  @Override
  public Future<JsonObject> admitMessage(JsonObject request) {
    return target().admitMessage(request);
  }

  @Override
  public Future<JsonObject> releaseMessage(String reservationId) {
    return target().releaseMessage(reservationId);
  }

  @Override
  public Future<JsonObject> recordUsage(JsonObject event) {
    return target().recordUsage(event);
  }

  @Override
  public Future<JsonObject> planStatus(String userId, String orgId, boolean refresh) {
    return target().planStatus(userId, orgId, refresh);
  }

  @Override
  public Future<JsonObject> usage(String userId, JsonObject query) {
    return target().usage(userId, query);
  }

  @Override
  public Future<JsonObject> checkout(String userId, JsonObject request) {
    return target().checkout(userId, request);
  }

  @Override
  public Future<JsonObject> portal(String userId, JsonObject request) {
    return target().portal(userId, request);
  }

  @Override
  public Future<JsonObject> assignPlan(JsonObject request) {
    return target().assignPlan(request);
  }

  @Override
  public Future<JsonObject> status(String actorId) {
    return target().status(actorId);
  }

  @Override
  public Future<JsonObject> parkedOutbox(String actorId, JsonObject query) {
    return target().parkedOutbox(actorId, query);
  }

  @Override
  public Future<JsonObject> replayOutbox(JsonObject request) {
    return target().replayOutbox(request);
  }
}
