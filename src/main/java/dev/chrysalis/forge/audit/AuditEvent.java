package dev.chrysalis.forge.audit;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * Security-relevant events (logins, key changes, membership changes) published on
 * {@value #ADDRESS}; the audit log's owner stores them. Fire-and-forget: publishing never fails
 * or slows the request that caused it.
 */
public final class AuditEvent {

  public static final String ADDRESS = "forge.audit";

  private AuditEvent() {
  }

  /**
   * @param action   for example {@code login.succeeded}, {@code api_key.created}
   * @param actorId  the user who acted, or null (failed login of an unknown email)
   * @param target   what was acted on (an id or an email)
   * @param context  request facts: {@code ip}, {@code user_agent}, {@code org_id}; may be null
   */
  public static void publish(Vertx vertx, String action, String actorId, String target, JsonObject context,
                             JsonObject metadata) {
    JsonObject ctx = context == null ? new JsonObject() : context;
    vertx.eventBus().publish(ADDRESS, new JsonObject()
      .put("action", action)
      .put("actor_id", actorId)
      .put("target", target)
      .put("org_id", ctx.getString("org_id"))
      .put("ip", ctx.getString("ip"))
      .put("user_agent", ctx.getString("user_agent"))
      .put("metadata", metadata == null ? new JsonObject() : metadata)
      .put("at", Instant.now().toString()));
  }
}
