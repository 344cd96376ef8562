package dev.chrysalis.forge.auth;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/** The {@code auth} section of the config, with the secret key already resolved. */
public record AuthConfig(
  byte[] secretKey,
  long sessionLifetimeSeconds,
  boolean registrationEnabled,
  int pbkdf2Iterations,
  int minPasswordLength,
  String issuer,
  String audience,
  int lockoutThreshold,
  long lockoutSeconds,
  int apiKeyCacheSize,
  int unknownKeyCacheSize,
  long unknownKeyCacheSeconds) {

  public static AuthConfig from(JsonObject config) {
    JsonObject a = config.getJsonObject("auth", new JsonObject());
    String secret = a.getString("secret_key", "");
    return new AuthConfig(
      secret.getBytes(StandardCharsets.UTF_8),
      a.getLong("session_lifetime", 86400L),
      a.getBoolean("enable_registration", true),
      a.getInteger("pbkdf2_iterations", PasswordHasher.DEFAULT_ITERATIONS),
      a.getInteger("min_password_length", 8),
      a.getString("issuer", "chrysalis-forge"),
      a.getString("audience", "chrysalis-forge-api"),
      a.getInteger("lockout_threshold", 10),
      a.getLong("lockout_seconds", 900L),
      a.getInteger("api_key_cache_size", 10_000),
      Math.max(1, a.getInteger("api_key_negative_cache_size", 10_000)),
      Math.max(0L, a.getLong("api_key_negative_cache_seconds", 30L)));
  }
}
