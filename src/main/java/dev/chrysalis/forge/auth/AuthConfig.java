package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.config.PublicUrl;
import dev.chrysalis.forge.text.EmailAddress;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

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
  long unknownKeyCacheSeconds,
  Set<String> adminEmails,
  boolean requireVerifiedEmail,
  long verifyTokenTtlSeconds,
  long resetTokenTtlSeconds,
  long mailResendSeconds,
  String publicUrl) {

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
      Math.max(0L, a.getLong("api_key_negative_cache_seconds", 30L)),
      Arrays.stream(a.getString("admin_emails", "").split(","))
        .map(EmailAddress::normalize).filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet()),
      a.getBoolean("require_verified_email", false),
      Math.max(60L, a.getLong("verify_token_ttl_seconds", 86400L)),
      Math.max(60L, a.getLong("reset_token_ttl_seconds", 3600L)),
      Math.max(0L, a.getLong("mail_resend_seconds", 60L)),
      PublicUrl.of(config));
  }
}
