package dev.chrysalis.forge.workspace;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import dev.chrysalis.forge.cluster.LocalServices;
import dev.chrysalis.forge.errors.Errors;

/**
 * The one client other packages (billing, vault) use to ask {@code WorkspaceService.getMembership}
 * (and {@code orgExists}) on the bus, at an address that is a setting so tests can answer it
 * themselves. Not a member (or no such org) → null; no answer at all → 503
 * {@code membership_unavailable} (fail closed).
 */
public final class MembershipClient {

  public static final String ACTION = "getMembership";
  public static final String EXISTS_ACTION = "orgExists";

  private final Vertx vertx;
  private final String address;

  public MembershipClient(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
  }

  /** The user's role in the org (owner, admin, member, reader), or null when not a member. */
  public Future<String> roleOf(String orgId, String userId) {
    // this node's workspace service when it runs one (see cluster/LocalServices)
    DeliveryOptions options = LocalServices.options(vertx, address, 5_000).addHeader("action", ACTION);
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

  /** Whether the org exists (an id the workspace finds malformed does not); no answer → 503 {@code membership_unavailable}. */
  public Future<Boolean> orgExists(String orgId) {
    DeliveryOptions options = new DeliveryOptions().addHeader("action", EXISTS_ACTION).setSendTimeout(5_000);
    return vertx.eventBus().<JsonObject>request(address, new JsonObject().put("orgId", orgId), options)
      .map(reply -> reply.body() != null && reply.body().getBoolean("exists", false))
      .recover(t -> {
        if (t instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && (re.failureCode() == 400 || re.failureCode() == 404)) {
          return Future.succeededFuture(false);
        }
        return Errors.fail(503, "membership_unavailable",
          "Organization membership cannot be checked right now. Try again.");
      });
  }
}
