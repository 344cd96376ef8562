package dev.chrysalis.forge.config;

import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * A verticle that gets its configuration through its constructor; its deployment carries none.
 * Vert.x 5 builds a new context for every HTTP client request (SharedHttpClientConnectionGroup),
 * and every new context deep-copies its deployment's options, config included. A verticle that
 * calls out over HTTP on every request (the HTTP front door to the providers, billing to Autumn)
 * would otherwise copy the whole service configuration per call: 7 % of the event loops' CPU on
 * the chat path when it was measured (docs/benchmarks.md).
 */
public abstract class ConfiguredVerticle extends VerticleBase {

  private final JsonObject config;

  protected ConfiguredVerticle(JsonObject config) {
    this.config = config;
  }

  @Override
  public JsonObject config() {
    return config;
  }
}
