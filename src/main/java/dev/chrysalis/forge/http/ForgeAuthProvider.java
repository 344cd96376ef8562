package dev.chrysalis.forge.http;

import dev.chrysalis.forge.auth.ApiKeyPrincipals;
import dev.chrysalis.forge.auth.JwtTokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.util.function.Supplier;

/**
 * The provider behind the security schemes: {@link #authenticate} verifies our JWTs, in process;
 * {@link #authenticateKey} answers {@code chs_…} API keys from this verticle's near cache or else
 * AuthService (one bus hop). Either way the user's principal is
 * {@code {user_id, email, via, scopes, key_id?}}.
 */
public final class ForgeAuthProvider implements JWTAuth {

  private static final JsonArray ALL_SCOPES = new JsonArray().add("*");

  private final ApiKeyPrincipals keys;
  private final JwtTokens jwt;

  public ForgeAuthProvider(ApiKeyPrincipals keys, JwtTokens jwt) {
    this.keys = keys;
    this.jwt = jwt;
  }

  /** A JWT (the bearer handler sends {@code chs_} tokens to {@link #authenticateKey}). */
  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials tc) || tc.getToken() == null || tc.getToken().isEmpty()) {
      return Future.failedFuture("no credentials");
    }
    return jwt.verify(tc.getToken()).map(claims -> User.create(new JsonObject()
      .put("user_id", claims.getString("sub"))
      .put("email", claims.getString("email"))
      .put("via", "jwt")
      .put("session_version", claims.getValue("sv") instanceof Number n ? n.longValue() : 0L)
      .put("scopes", ALL_SCOPES.copy())));
  }

  /** An API key; {@code beforeLookup} runs only when the near cache does not know it (see {@link ApiKeyPrincipals}). */
  public Future<User> authenticateKey(String apiKey, Supplier<Future<Void>> beforeLookup) {
    return keys.authenticate(apiKey, beforeLookup).map(User::create);
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    throw new IllegalStateException("tokens are issued by AuthService");
  }

  @Override
  public String generateToken(JsonObject claims) {
    throw new IllegalStateException("tokens are issued by AuthService");
  }
}
