package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import dev.chrysalis.forge.errors.Errors;

/**
 * Asks the workspace service on the bus, speaking the service-proxy wire format so no compile-time
 * dependency on the workspace package is needed: action {@code getMembership}, body
 * {@code {orgId, userId}}, reply {@code {org_id, user_id, role}} or a 404 failure when the user is
 * not a member (or the org does not exist).
 */
final class BusOrgMembership implements OrgMembership {

  static final String ACTION = "getMembership";

  private final Vertx vertx;
  private final String address;

  BusOrgMembership(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
  }

  @Override
  public Future<String> roleOf(String orgId, String userId) {
    DeliveryOptions options = new DeliveryOptions().addHeader("action", ACTION).setSendTimeout(5_000);
    return vertx.eventBus().<JsonObject>request(address, new JsonObject().put("orgId", orgId).put("userId", userId), options)
      .map(reply -> reply.body() == null ? null : reply.body().getString("role"))
      .recover(t -> {
        if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && (re.failureCode() == 404 || re.failureCode() == 403)) {
          return Future.succeededFuture(null);
        }
        return Errors.fail(503, "membership_unavailable",
          "Organization membership cannot be checked right now. Try again.");
      });
  }
}
