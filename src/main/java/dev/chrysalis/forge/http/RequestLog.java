package dev.chrysalis.forge.http;

import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * First handler of every request: assigns the request id (a sane incoming {@code x-request-id}
 * is kept), resolves the client IP, and logs one line when the response ends. The line names
 * the route template, never the query string, body, headers or credentials.
 */
public final class RequestLog implements PlatformHandler {

  public static final String REQUEST_ID = "forge.request_id";
  public static final String CLIENT_IP = "forge.client_ip";
  public static final String ROUTE = "forge.route";
  private static final Logger ACCESS = LoggerFactory.getLogger("forge.access");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final ClientIp clientIp;

  public RequestLog(ClientIp clientIp) {
    this.clientIp = clientIp;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String incoming = ctx.request().getHeader("x-request-id");
    String id = incoming != null && SAFE_ID.matcher(incoming).matches() ? incoming : "req_" + UUID.randomUUID();
    ctx.put(REQUEST_ID, id);
    ctx.put(CLIENT_IP, clientIp.of(ctx.request()));
    ctx.response().putHeader("x-request-id", id);
    ctx.addEndHandler(v -> {
      if (ACCESS.isInfoEnabled()) {
        User user = ctx.user();
        String userId = user == null ? "-" : user.principal().getString("user_id", "-");
        String route = ctx.get(ROUTE);
        if (route == null && ctx.currentRoute() != null) {
          route = ctx.currentRoute().getPath();
        }
        ACCESS.info("{} {} {} {}ms id={} user={}", ctx.request().method(), route == null ? "-" : route,
          ctx.response().getStatusCode(), (System.nanoTime() - start) / 1_000_000, id, userId);
      }
    });
    ctx.next();
  }

  public static String requestId(RoutingContext ctx) {
    return ctx.get(REQUEST_ID);
  }

  public static String clientIp(RoutingContext ctx) {
    return ctx.get(CLIENT_IP);
  }
}
