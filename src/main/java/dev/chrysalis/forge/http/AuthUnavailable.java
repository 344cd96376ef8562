package dev.chrysalis.forge.http;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.impl.APIKeyHandlerImpl;
import io.vertx.ext.web.handler.impl.JWTAuthHandlerImpl;
import io.vertx.serviceproxy.ServiceException;

/**
 * Vert.x's authentication handlers report every provider failure as 401, and the scheme chain
 * then moves on to the next scheme. When AuthService could not judge the credentials at all (its
 * database down, the node serving it gone, a bus timeout) that 401 would tell a client its key is
 * bad. These handlers turn such failures into a 503 that stops the chain; {@link FailureMapper}
 * answers it in our shape with Retry-After.
 */
final class AuthUnavailable {

  private AuthUnavailable() {
  }

  static Future<User> remap(Throwable t) {
    if (t instanceof HttpException he && he.getStatusCode() == 401 && dependencyFailure(he.getCause())) {
      return Future.failedFuture(new HttpException(503, he.getCause()));
    }
    return Future.failedFuture(t);
  }

  static boolean dependencyFailure(Throwable cause) {
    if (cause instanceof ServiceException se) {
      return se.failureCode() >= 500;
    }
    return cause instanceof ReplyException;
  }

  /** The bearer scheme ({@code Authorization: Bearer}: JWT or chs_ key). */
  static final class Bearer extends JWTAuthHandlerImpl {
    Bearer(JWTAuth provider, String realm) {
      super(provider, realm);
    }

    @Override
    public Future<User> authenticate(RoutingContext ctx) {
      return super.authenticate(ctx).recover(AuthUnavailable::remap);
    }
  }

  /** The API-key schemes ({@code x-api-key} header, {@code api_key} query). */
  static final class ApiKey extends APIKeyHandlerImpl {
    ApiKey(AuthenticationProvider provider) {
      super(provider);
    }

    @Override
    public Future<User> authenticate(RoutingContext ctx) {
      return super.authenticate(ctx).recover(AuthUnavailable::remap);
    }
  }
}
