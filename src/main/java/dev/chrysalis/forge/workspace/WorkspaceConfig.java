package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.config.PublicUrl;

import io.vertx.core.json.JsonObject;

/** The {@code workspace} section of the config. */
/** {@code publicUrl} is where people reach the service (links in invite mails), from {@code server.public_url}. */
public record WorkspaceConfig(long inviteTtlSeconds, int maxContextsPerThread, int maxContextDepth, String publicUrl) {

  public static WorkspaceConfig from(JsonObject config) {
    JsonObject w = config.getJsonObject("workspace", new JsonObject());
    return new WorkspaceConfig(
      w.getLong("invite_ttl_seconds", 7L * 24 * 3600),
      w.getInteger("max_contexts_per_thread", 1000),
      w.getInteger("max_context_depth", 16),
      PublicUrl.of(config));
  }
}
