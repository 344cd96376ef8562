package dev.chrysalis.forge.http;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.impl.APIKeyHandlerImpl;
import io.vertx.ext.web.handler.impl.JWTAuthHandlerImpl;
import io.vertx.serviceproxy.ServiceException;

import java.util.function.Function;

/**
 * The handlers of the contract's three security schemes, around {@link ForgeAuthProvider}. Two
 * things Vert.x's stock handlers do not do:
 *
 * <ul>
 *   <li>An API key this verticle's near cache does not know is looked up only after
 *       {@link RateLimitCheck#beforeKeyLookup} found allowance left for the client address, so an
 *       address refused for its failures costs no lookup. A cached key and a JWT skip that check.</li>
 *   <li>Vert.x reports every provider failure as 401, and the scheme chain then moves on to the next
 *       scheme. When AuthService could not judge the credentials at all (its database down, the node
 *       serving it gone, a bus timeout) that 401 would tell a client its key is bad. Such failures
 *       become a 503 that stops the chain; {@link FailureMapper} answers it in our shape with
 *       Retry-After.</li>
 * </ul>
 */
final class CredentialHandlers {

  private static final String KEY_PREFIX = "chs_";
  private static final String BEARER = "Bearer ";

  private CredentialHandlers() {
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

  /** An API key: a refusal by the per-address check stops the chain, any other failure is a 401. */
  private static Future<User> apiKey(ForgeAuthProvider provider, RateLimitCheck limit, RoutingContext ctx, String key) {
    return provider.authenticateKey(key, () -> limit.beforeKeyLookup(ctx))
      .recover(err -> Future.<User>failedFuture(err instanceof RateLimitCheck.Refused r
        ? new HttpException(r.status(), r) : new HttpException(401, err)))
      .recover(CredentialHandlers::remap);
  }

  /** The bearer scheme ({@code Authorization: Bearer}: a chs_ key, else a JWT). */
  static final class Bearer extends JWTAuthHandlerImpl {
    private final ForgeAuthProvider provider;
    private final RateLimitCheck limit;

    Bearer(ForgeAuthProvider provider, RateLimitCheck limit, String realm) {
      super(provider, realm);
      this.provider = provider;
      this.limit = limit;
    }

    @Override
    public Future<User> authenticate(RoutingContext ctx) {
      String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
        && header.startsWith(KEY_PREFIX, BEARER.length())) {
        return apiKey(provider, limit, ctx, header.substring(BEARER.length()));
      }
      return super.authenticate(ctx).recover(CredentialHandlers::remap);
    }
  }

  /** The API-key schemes ({@code x-api-key} header, {@code api_key} query parameter): chs_ keys only. */
  static final class ApiKey extends APIKeyHandlerImpl {
    private final ForgeAuthProvider provider;
    private final RateLimitCheck limit;
    private final Function<RoutingContext, String> source;

    private ApiKey(ForgeAuthProvider provider, RateLimitCheck limit, Function<RoutingContext, String> source) {
      super(provider);
      this.provider = provider;
      this.limit = limit;
      this.source = source;
    }

    static ApiKey header(ForgeAuthProvider provider, RateLimitCheck limit, String name) {
      return new ApiKey(provider, limit, ctx -> ctx.request().getHeader(name));
    }

    static ApiKey query(ForgeAuthProvider provider, RateLimitCheck limit, String name) {
      return new ApiKey(provider, limit, ctx -> {
        try {
          return ctx.queryParams().get(name);
        } catch (RuntimeException undecodable) {
          return null;   // the contract validation answers a query string that cannot be decoded
        }
      });
    }

    @Override
    public Future<User> authenticate(RoutingContext ctx) {
      String key = source.apply(ctx);
      if (key == null) {
        return Future.failedFuture(new HttpException(401, "no credentials"));
      }
      if (!key.startsWith(KEY_PREFIX)) {
        return Future.failedFuture(new HttpException(401, "not an API key"));
      }
      return apiKey(provider, limit, ctx, key);
    }
  }
}
