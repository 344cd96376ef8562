package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.catalog.CatalogModel;
import dev.chrysalis.forge.catalog.ModelCatalog;
import dev.chrysalis.forge.catalog.ResolvedModel;
import dev.chrysalis.forge.errors.Errors;
import io.vertx.serviceproxy.ServiceException;

import java.util.List;

/**
 * Model routing on top of the {@link ModelCatalog}: the default model for a body without one, the
 * operator's allow-list ({@code CHRYSALIS_ALLOWED_MODELS}: only those names, as the client writes
 * them, are served), and 404 {@code model_not_found} for a name the catalog cannot place.
 */
public final class ModelRouter {

  private final GatewayConfig config;
  private final ModelCatalog catalog;

  public ModelRouter(GatewayConfig config) {
    this.config = config;
    this.catalog = config.catalog();
  }

  public ModelCatalog catalog() {
    return catalog;
  }

  public List<CatalogModel> models() {
    return catalog.models();
  }

  public CatalogModel find(String id) {
    return catalog.find(id);
  }

  public String defaultModel() {
    return config.defaultModel();
  }

  /** Routes a model name, or throws 404 {@code model_not_found}. */
  public ModelRoute route(String requested) {
    String model = requested == null || requested.isBlank() ? config.defaultModel() : requested.trim();
    if (!isAllowed(model)) {
      throw notFound(model);
    }
    ResolvedModel resolved = catalog.resolve(model);
    if (resolved == null) {
      throw notFound(model);
    }
    return new ModelRoute(model, resolved);
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
