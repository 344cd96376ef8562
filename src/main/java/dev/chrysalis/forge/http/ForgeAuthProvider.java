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

/**
 * The provider behind the bearer scheme: {@code chs_…} tokens are API keys, answered by this
 * verticle's near cache or else AuthService (one bus hop); anything else must be one of our JWTs and is
 * verified here, in process. Either way the user's principal is
 * {@code {user_id, email, via, scopes, key_id?}}.
 */
public final class ForgeAuthProvider implements JWTAuth {

  private static final JsonArray ALL_SCOPES = new JsonArray().add("*");

  private final ApiKeyPrincipals keys;
  private final JwtTokens jwt;
  private final boolean apiKeysOnly;

  public ForgeAuthProvider(ApiKeyPrincipals keys, JwtTokens jwt, boolean apiKeysOnly) {
    this.keys = keys;
    this.jwt = jwt;
    this.apiKeysOnly = apiKeysOnly;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials tc) || tc.getToken() == null || tc.getToken().isEmpty()) {
      return Future.failedFuture("no credentials");
    }
    String token = tc.getToken();
    if (token.startsWith("chs_")) {
      return keys.authenticate(token).map(User::create);
    }
    if (apiKeysOnly) {
      return Future.failedFuture("not an API key");
    }
    return jwt.verify(token).map(claims -> User.create(new JsonObject()
      .put("user_id", claims.getString("sub"))
      .put("email", claims.getString("email"))
      .put("via", "jwt")
      .put("session_version", claims.getValue("sv") instanceof Number n ? n.longValue() : 0L)
      .put("scopes", ALL_SCOPES.copy())));
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
