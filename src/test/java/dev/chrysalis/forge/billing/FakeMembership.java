package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.workspace.MembershipClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the workspace service's {@code getMembership} and {@code orgExists} on its own bus
 * address (set as CHRYSALIS_BILLING_MEMBERSHIP_ADDRESS), speaking the service-proxy wire format. An
 * org exists once it has a member here.
 */
final class FakeMembership implements AutoCloseable {

  static final String ADDRESS = "test.membership." + UUID.randomUUID();

  private final Map<String, String> roles = new ConcurrentHashMap<>();
  private final MessageConsumer<JsonObject> consumer;

  FakeMembership(Vertx vertx) {
    consumer = vertx.eventBus().consumer(ADDRESS, msg -> {
      String action = msg.headers().get("action");
      String orgId = msg.body().getString("orgId");
      if (MembershipClient.EXISTS_ACTION.equals(action)) {
        boolean exists = roles.keySet().stream().anyMatch(k -> k.startsWith(orgId + "/"));
        msg.reply(new JsonObject().put("org_id", orgId).put("exists", exists));
        return;
      }
      if (!MembershipClient.ACTION.equals(action)) {
        msg.fail(400, "unknown action");
        return;
      }
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
