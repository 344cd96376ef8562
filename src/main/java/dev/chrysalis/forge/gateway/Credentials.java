package dev.chrysalis.forge.gateway;

import io.vertx.core.json.JsonObject;

/**
 * A resolved provider key, in the shape {@code VaultService.resolve} answers
 * ({provider, key, base_url, base_url_user_supplied, is_byok, provider_key_id}). The key never
 * leaves this node and is never logged; {@link #toString()} hides it. A user-supplied base is
 * checked again at connect time (see outbound/BaseUrlGuard); an operator's base is trusted.
 */
public record Credentials(String provider, String key, String baseUrl, boolean byok, String providerKeyId,
                          boolean userSuppliedBase) {

  /** Credentials with the operator's base URL. */
  public Credentials(String provider, String key, String baseUrl, boolean byok, String providerKeyId) {
    this(provider, key, baseUrl, byok, providerKeyId, false);
  }

  public static Credentials from(JsonObject resolved) {
    String key = resolved.getString("key");
    return new Credentials(resolved.getString("provider"), key == null ? "" : key,
      GatewayConfig.trimSlash(resolved.getString("base_url", "")), resolved.getBoolean("is_byok", false),
      resolved.getString("provider_key_id"), resolved.getBoolean("base_url_user_supplied", false));
  }

  @Override
  public String toString() {
    return "Credentials[provider=" + provider + ", byok=" + byok + ", provider_key_id=" + providerKeyId + "]";
  }
}
