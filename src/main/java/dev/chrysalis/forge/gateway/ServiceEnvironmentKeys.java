package dev.chrysalis.forge.gateway;


/**
 * The service's own provider keys (OPENAI_API_KEY, … and the *_BASE / *_BASE_URL settings, the
 * shared {@code providers} section), used only to fetch the live model lists of
 * {@code GET /v1/models}. Chat calls get their key from {@code VaultService.resolve}.
 */
public final class ServiceEnvironmentKeys {

  private final GatewayConfig config;

  public ServiceEnvironmentKeys(GatewayConfig config) {
    this.config = config;
  }

  /** Whether the service itself has a usable key (or needs none) for this provider. */
  public boolean hasKey(String provider) {
    GatewayConfig.ProviderSettings s = config.provider(provider);
    return !s.baseUrl().isBlank() && (Providers.KEYLESS.contains(provider) || !s.apiKey().isBlank());
  }
}
