package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * Asks the workspace service over the bus, in its service-proxy wire format:
 * {@code WorkspaceService.getMembership(String orgId, String userId)} → {@code {org_id, user_id, role}},
 * or a failure with code 404 when the user is not a member (or there is no such org). No answer at
 * all is a 503 (fail closed). The address is a setting so tests can answer it themselves.
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
  public Future<String> roleOf(String userId, String orgId) {
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
