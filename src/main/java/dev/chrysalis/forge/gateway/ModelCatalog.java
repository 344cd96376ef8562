package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.serviceproxy.ServiceException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model routing. {@code provider/model} is explicit; a bare name goes by the catalog, then by
 * prefix (gpt-/o1/o3/o4 → openai, claude → anthropic, gemini → google, mistral/codestral/
 * ministral → mistral, command → cohere). When {@code CHRYSALIS_ALLOWED_MODELS} is set, only those
 * names (as the client writes them) are served.
 */
public final class ModelCatalog {

  private final Map<String, CatalogModel> byId = new LinkedHashMap<>();
  private final GatewayConfig config;

  public ModelCatalog(GatewayConfig config) {
    this.config = config;
    for (CatalogModel m : config.models()) {
      byId.put(m.id(), m);
    }
  }

  public List<CatalogModel> models() {
    return List.copyOf(byId.values());
  }

  public CatalogModel find(String id) {
    CatalogModel m = byId.get(id);
    if (m != null) {
      return m;
    }
    int slash = id.indexOf('/');
    if (slash > 0) {
      CatalogModel bare = byId.get(id.substring(slash + 1));
      if (bare != null && bare.provider().equals(id.substring(0, slash))) {
        return bare;
      }
    }
    return null;
  }

  public String defaultModel() {
    return config.defaultModel();
  }

  /** Routes a model name, or throws 404 {@code model_not_found}. */
  public ModelRoute route(String requested) {
    String model = requested == null || requested.isBlank() ? config.defaultModel() : requested.trim();
    if (!config.allowedModels().isEmpty() && !config.allowedModels().contains(model)) {
      throw notFound(model);
    }
    int slash = model.indexOf('/');
    if (slash > 0) {
      String provider = model.substring(0, slash);
      String upstream = model.substring(slash + 1);
      if (Providers.ALL.contains(provider) && !upstream.isBlank()) {
        return new ModelRoute(model, provider, upstream, find(model));
      }
    }
    CatalogModel entry = byId.get(model);
    if (entry != null) {
      return new ModelRoute(model, entry.provider(), entry.id(), entry);
    }
    String provider = Providers.byPrefix(model);
    if (provider == null) {
      throw notFound(model);
    }
    return new ModelRoute(model, provider, model, null);
  }

  public boolean isAllowed(String id) {
    return config.allowedModels().isEmpty() || config.allowedModels().contains(id);
  }

  static ServiceException notFound(String model) {
    String shown = model.length() > 100 ? model.substring(0, 100) + "…" : model;
    return Errors.error(404, "model_not_found", "The model '" + shown + "' does not exist or is not served here.",
      "model");
  }
}
