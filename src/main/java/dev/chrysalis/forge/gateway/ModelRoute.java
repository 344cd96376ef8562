package dev.chrysalis.forge.gateway;

/**
 * Where a requested model goes: the provider, the model name the upstream knows, and the catalog
 * entry when there is one (prices, tier).
 */
public record ModelRoute(String requested, String provider, String upstreamModel, CatalogModel catalog) {
}
