package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.outbound.BaseUrlGuard;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code vault} section (master keys, timeouts, cache; the SSRF policy is read by outbound/OutboundConfig) and the {@code providers}
 * section (service keys and bases from the environment, OPENAI_API_KEY …), resolved once.
 */
public record VaultConfig(
  VaultCrypto crypto,
  long validationTimeoutMs,
  int cacheSize,
  long cacheTtlMs,
  long membershipCacheMs,
  int rewrapBatchSize,
  String membershipAddress,
  Map<Provider, ServiceKey> serviceKeys) {

  /** A provider as the operator configured it: its key (may be empty) and base URL. */
  public record ServiceKey(String apiKey, String baseUrl) {
    public boolean usable(Provider p) {
      return baseUrl != null && !baseUrl.isBlank() && (p.keyOptional() || (apiKey != null && !apiKey.isBlank()));
    }
  }

  public static VaultConfig from(JsonObject config) {
    JsonObject v = config.getJsonObject("vault", new JsonObject());
    boolean production = "production".equalsIgnoreCase(config.getString("env", "development"));
    String secret = config.getJsonObject("auth", new JsonObject()).getString("secret_key", "");
    return new VaultConfig(
      crypto(v.getString("keys", ""), secret, production),
      v.getLong("validation_timeout_ms", 10_000L),
      v.getInteger("cache_size", 10_000),
      v.getLong("cache_ttl_seconds", 60L) * 1000,
      v.getLong("membership_cache_seconds", 10L) * 1000,
      v.getInteger("rewrap_batch_size", 200),
      v.getString("membership_address", "forge.workspace"),
      serviceKeys(config.getJsonObject("providers", new JsonObject())));
  }

  /**
   * CHRYSALIS_VAULT_KEYS {@code 1:<base64 32 bytes>,2:<…>}: the highest version encrypts. The key
   * derived from the secret is version 0: it encrypts when no keys are listed and stays readable
   * beside listed keys, so a deployment can move from it to explicit keys with one rewrap.
   */
  static VaultCrypto crypto(String spec, String secret, boolean production) {
    Map<Integer, byte[]> keys = new TreeMap<>();
    boolean hasSecret = secret != null && !secret.isBlank();
    if (hasSecret) {
      keys.put(VaultCrypto.DERIVED_VERSION, VaultCrypto.deriveFromSecret(secret.getBytes(StandardCharsets.UTF_8)));
    }
    int newest = -1;
    if (spec != null && !spec.isBlank()) {
      for (String part : spec.split(",")) {
        String p = part.trim();
        int colon = p.indexOf(':');
        if (colon < 1) {
          throw new IllegalArgumentException("CHRYSALIS_VAULT_KEYS entries look like <version>:<base64 32 bytes>");
        }
        int version;
        try {
          version = Integer.parseInt(p.substring(0, colon).trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("CHRYSALIS_VAULT_KEYS: a version is not a number");
        }
        if (version < 1) {
          throw new IllegalArgumentException("CHRYSALIS_VAULT_KEYS: versions start at 1 (0 is the derived key)");
        }
        byte[] key;
        try {
          key = Base64.getDecoder().decode(p.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("CHRYSALIS_VAULT_KEYS: version " + version + " is not base64");
        }
        if (key.length != VaultCrypto.KEY_BYTES) {
          throw new IllegalArgumentException("CHRYSALIS_VAULT_KEYS: version " + version + " must decode to 32 bytes"
            + " (generate one with: openssl rand -base64 32)");
        }
        if (keys.put(version, key) != null) {
          throw new IllegalArgumentException("CHRYSALIS_VAULT_KEYS: version " + version + " is listed twice");
        }
        newest = Math.max(newest, version);
      }
    }
    if (newest < 0 && !hasSecret) {
      throw new IllegalStateException(production
        ? "CHRYSALIS_ENV=production requires CHRYSALIS_VAULT_KEYS or CHRYSALIS_SECRET_KEY"
        : "the vault needs CHRYSALIS_VAULT_KEYS or CHRYSALIS_SECRET_KEY");
    }
    return VaultCrypto.of(keys, newest < 0 ? VaultCrypto.DERIVED_VERSION : newest);
  }

  private static Map<Provider, ServiceKey> serviceKeys(JsonObject providers) {
    Map<Provider, ServiceKey> out = new EnumMap<>(Provider.class);
    for (Provider p : Provider.values()) {
      JsonObject s = providers.getJsonObject(p.id());
      if (s != null) {
        out.put(p, new ServiceKey(s.getString("api_key", ""), stripSlash(s.getString("base_url", ""))));
      }
    }
    return out;
  }

  static String stripSlash(String url) {
    return BaseUrlGuard.stripSlash(url);
  }

}
