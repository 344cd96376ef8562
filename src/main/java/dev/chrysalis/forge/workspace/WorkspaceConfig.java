package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.config.PublicUrl;

import io.vertx.core.json.JsonObject;

/**
 * The {@code workspace} section of the config.
 *
 * @param maxContextBytesPerThread what all contexts of one thread may take together (UTF-8 bytes
 *                                 of titles, bodies and encoded metadata)
 * @param contextPageBytes         a page of contexts stops once it holds this many bytes (it
 *                                 always holds at least one context)
 * @param relationsShown           a thread's detail lists at most this many threads per kind of
 *                                 relation
 * @param publicUrl                where people reach the service (links in invite mails), from
 *                                 {@code server.public_url}
 */
public record WorkspaceConfig(long inviteTtlSeconds, int maxContextsPerThread, int maxContextDepth,
                              long maxContextBytesPerThread, long contextPageBytes, int relationsShown,
                              String publicUrl) {

  public static WorkspaceConfig from(JsonObject config) {
    JsonObject w = config.getJsonObject("workspace", new JsonObject());
    WorkspaceConfig c = new WorkspaceConfig(
      w.getLong("invite_ttl_seconds", 7L * 24 * 3600),
      w.getInteger("max_contexts_per_thread", 1000),
      w.getInteger("max_context_depth", 16),
      w.getLong("max_context_bytes_per_thread", 4L * 1024 * 1024),
      w.getLong("context_page_bytes", 1024L * 1024),
      w.getInteger("relations_shown", 50),
      PublicUrl.of(config));
    if (c.maxContextBytesPerThread < 1 || c.contextPageBytes < 1 || c.relationsShown < 1) {
      throw new IllegalArgumentException(
        "workspace.max_context_bytes_per_thread, context_page_bytes and relations_shown must be positive");
    }
    return c;
  }
}
