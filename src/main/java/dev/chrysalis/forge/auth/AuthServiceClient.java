package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.cluster.LocalServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The {@link AuthService} proxy callers get: this node's AuthService when it runs one (local
 * delivery, see {@link LocalServices}), else any node's; the idempotent reads are sent once more,
 * cluster-wide, when their message was lost on the way.
 */
final class AuthServiceClient extends AuthServiceVertxEBProxy {

  private final AuthService anyNode;

  AuthServiceClient(Vertx vertx, long sendTimeoutMs) {
    super(vertx, AuthService.ADDRESS, LocalServices.options(vertx, AuthService.ADDRESS, sendTimeoutMs));
    this.anyNode = new AuthServiceVertxEBProxy(vertx, AuthService.ADDRESS, LocalServices.anyNode(sendTimeoutMs));
  }

  @Override
  public Future<JsonObject> authenticateApiKey(String apiKey) {
    return LocalServices.readRetryingOnce(() -> super.authenticateApiKey(apiKey), () -> anyNode.authenticateApiKey(apiKey));
  }

  @Override
  public Future<JsonObject> sessionState(String userId) {
    return LocalServices.readRetryingOnce(() -> super.sessionState(userId), () -> anyNode.sessionState(userId));
  }

  @Override
  public Future<JsonObject> getUser(String userId) {
    return LocalServices.readRetryingOnce(() -> super.getUser(userId), () -> anyNode.getUser(userId));
  }

  @Override
  public Future<JsonObject> findUserByEmail(String email) {
    return LocalServices.readRetryingOnce(() -> super.findUserByEmail(email), () -> anyNode.findUserByEmail(email));
  }
}
