package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.catalog.CatalogModel;
import dev.chrysalis.forge.catalog.ResolvedModel;

/**
 * Where a requested model goes: the name the client asked for (answers repeat it) and the
 * catalog's answer for it (provider, upstream name, canonical model, tier, price).
 */
public record ModelRoute(String requested, ResolvedModel model) {

  public String provider() {
    return model.provider();
  }

  public String upstreamModel() {
    return model.upstreamName();
  }

  /** The catalog family, or null for an unlisted name. */
  public CatalogModel catalog() {
    return model.entry();
  }
}
