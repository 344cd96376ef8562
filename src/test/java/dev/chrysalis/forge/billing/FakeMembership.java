package dev.chrysalis.forge.billing;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the workspace service's {@code getMembership} on its own bus address (set as
 * CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS), speaking the service-proxy wire format.
 */
final class FakeMembership implements AutoCloseable {

  static final String ADDRESS = "test.membership." + UUID.randomUUID();

  private final Map<String, String> roles = new ConcurrentHashMap<>();
  private final MessageConsumer<JsonObject> consumer;

  FakeMembership(Vertx vertx) {
    consumer = vertx.eventBus().consumer(ADDRESS, msg -> {
      if (!dev.chrysalis.forge.workspace.MembershipClient.ACTION.equals(msg.headers().get("action"))) {
        msg.fail(400, "unknown action");
        return;
      }
      String orgId = msg.body().getString("orgId");
      String userId = msg.body().getString("userId");
      String role = roles.get(orgId + "/" + userId);
      if (role == null) {
        msg.fail(404, "not a member");
      } else {
        msg.reply(new JsonObject().put("org_id", orgId).put("user_id", userId).put("role", role));
      }
    });
    try {
      consumer.completion().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void add(String orgId, String userId, String role) {
    roles.put(orgId + "/" + userId, role);
  }

  @Override
  public void close() {
    consumer.unregister();
  }
}
