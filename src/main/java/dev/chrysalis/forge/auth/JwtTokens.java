package dev.chrysalis.forge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Issues and verifies our HS256 session tokens. Verification is pure CPU, so the HTTP layer
 * holds its own instance and checks JWTs without a bus hop; API keys go through AuthService.
 * Rejects: any alg but HS256, typ other than JWT, bad signature, other key, expired, not yet
 * valid, missing exp/sub, wrong iss or aud.
 */
public final class JwtTokens {

  public static final int MIN_KEY_BYTES = 32;
  private static final String ALG = "HS256";

  private final JWTAuth jwt;
  private final String issuer;
  private final String audience;
  private final long lifetimeSeconds;

  public JwtTokens(Vertx vertx, AuthConfig config) {
    if (config.secretKey() == null || config.secretKey().length < MIN_KEY_BYTES) {
      throw new IllegalStateException("the JWT secret key must be at least " + MIN_KEY_BYTES + " bytes");
    }
    this.issuer = config.issuer();
    this.audience = config.audience();
    this.lifetimeSeconds = config.sessionLifetimeSeconds();
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALG).setBuffer(Buffer.buffer(config.secretKey())))
      .setJWTOptions(new JWTOptions().setAlgorithm(ALG).setIssuer(issuer).setAudience(List.of(audience))
        .setLeeway(0)));
    selfTest();
  }

  /** A session token; {@code sv} is the account's session version, see {@link SessionStates}. */
  public String issue(String userId, String email, long sessionVersion) {
    JsonObject claims = new JsonObject().put("sub", userId).put("email", email).put("sv", sessionVersion)
      .put("jti", UUID.randomUUID().toString());
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm(ALG).setExpiresInSeconds((int) lifetimeSeconds)
      .setIssuer(issuer).setAudience(List.of(audience)));
  }

  public long lifetimeSeconds() {
    return lifetimeSeconds;
  }

  /** Verifies a token and returns its claims; fails with a short reason on any rejection. */
  public Future<JsonObject> verify(String token) {
    String headerProblem = checkHeader(token);
    if (headerProblem != null) {
      return Future.failedFuture(headerProblem);
    }
    return jwt.authenticate(new TokenCredentials(token)).compose(user -> {
      // vertx-auth-jwt keeps the verified claims in the attributes; the principal holds the raw token
      JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
      if (!(claims.getValue("exp") instanceof Number)) {
        return Future.failedFuture("token has no exp");
      }
      if (claims.getString("sub") == null) {
        return Future.failedFuture("token has no sub");
      }
      if (!issuer.equals(claims.getString("iss"))) {
        return Future.failedFuture("wrong issuer");
      }
      return Future.succeededFuture(claims);
    });
  }

  private static String checkHeader(String token) {
    if (token == null) {
      return "no token";
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) < 0) {
      return "malformed token";
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)),
        StandardCharsets.UTF_8));
      if (!ALG.equals(header.getString("alg"))) {
        return "algorithm not allowed";
      }
      if (!"JWT".equals(header.getString("typ"))) {
        return "wrong token type";
      }
      return null;
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return "malformed token";
    }
  }

  /** Start-up assertion: the key is loaded, so tokens verify and alg=none does not. */
  private void selfTest() {
    String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString(
      "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + Base64.getUrlEncoder().withoutPadding().encodeToString(
      ("{\"sub\":\"x\",\"iss\":\"" + issuer + "\",\"exp\":9999999999}").getBytes(StandardCharsets.UTF_8)) + ".";
    if (checkHeader(unsigned) == null) {
      throw new IllegalStateException("JWT verifier accepts alg=none");
    }
    String token = issue("usr_selftest", "selftest@invalid", 0);
    if (token.split("\\.").length != 3 || token.endsWith(".")) {
      throw new IllegalStateException("JWT signing key did not load");
    }
  }
}
