package dev.chrysalis.forge.metrics;

import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.catalog.ModelCatalog;
import dev.chrysalis.forge.catalog.ResolvedModel;
import dev.chrysalis.forge.gateway.Providers;
import dev.chrysalis.forge.usage.UsageEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Turns events other packages already publish into meters: tokens by provider and catalog model from
 * {@value UsageEvent#ADDRESS}, security events by action from {@value AuditEvent#ADDRESS}. Local
 * consumers only, so each node counts what happened on it and a cluster-wide sum is right.
 */
public class MetricsVerticle extends VerticleBase {

  private MessageConsumer<JsonObject> usage;
  private MessageConsumer<JsonObject> audit;

  @Override
  public Future<?> start() {
    Metrics metrics = Metrics.of(vertx);
    // model labels are catalog family ids or "other": a client's choice of name never makes a series
    ModelCatalog catalog = ModelCatalog.from(config());
    usage = vertx.eventBus().<JsonObject>localConsumer(UsageEvent.ADDRESS, msg -> {
      JsonObject e = msg.body();
      String provider = Providers.ALL.contains(e.getString("provider")) ? e.getString("provider") : ResolvedModel.OTHER;
      String model = e.getValue("model") instanceof String m ? catalog.label(m) : ResolvedModel.OTHER;
      metrics.increment(Metrics.USAGE_EVENTS, "provider", provider, "byok", String.valueOf(e.getBoolean("is_byok", false)));
      metrics.increment(Metrics.TOKENS, number(e, "input_tokens"), "provider", provider, "model", model, "direction", "input");
      metrics.increment(Metrics.TOKENS, number(e, "output_tokens"), "provider", provider, "model", model, "direction", "output");
    });
    audit = vertx.eventBus().<JsonObject>localConsumer(AuditEvent.ADDRESS,
      msg -> metrics.increment(Metrics.AUDIT_EVENTS, "action", tag(msg.body().getString("action"))));
    return Future.all(usage.completion(), audit.completion());
  }

  /** Tag values come from our own code paths, but cap them so a bad publisher cannot explode the series. */
  private static String tag(String v) {
    if (v == null || v.isBlank()) {
      return "unknown";
    }
    return v.length() > 64 ? v.substring(0, 64) : v;
  }

  private static double number(JsonObject e, String field) {
    Object v = e.getValue(field);
    return v instanceof Number n && n.doubleValue() > 0 ? n.doubleValue() : 0;
  }

  @Override
  public Future<?> stop() {
    return Future.all(usage.unregister(), audit.unregister());
  }
}
