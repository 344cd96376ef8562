package dev.chrysalis.forge.http;

import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Model ids may contain a slash ({@code anthropic/claude-sonnet-4-5}), and OpenAI SDKs put them
 * into the path unescaped: {@code GET /v1/models/anthropic/claude-sonnet-4-5}. A path parameter
 * of the contract is one segment, so such a request is rerouted once with the rest of the path as
 * one escaped segment ({@code anthropic%2Fclaude-sonnet-4-5}), which the contract's {@code {id}}
 * takes and every guard of the operation (authentication, scope, rate limit) then runs on.
 */
final class SlashedModelIds implements PlatformHandler {

  private static final String[] PREFIXES = {"/v1/models/", "/api/models/"};

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.GET) {
      String path = ctx.request().path();
      for (String prefix : PREFIXES) {
        if (path.length() > prefix.length() && path.startsWith(prefix) && path.indexOf('/', prefix.length()) > 0) {
          String rest = path.substring(prefix.length());
          String query = ctx.request().query();
          // the segments stay as the client escaped them; only the slashes between them are escaped
          ctx.reroute(prefix + rest.replace("/", "%2F") + (query == null ? "" : "?" + query));
          return;
        }
      }
    }
    ctx.next();
  }
}
