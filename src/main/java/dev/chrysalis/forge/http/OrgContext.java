package dev.chrysalis.forge.http;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.serviceproxy.ServiceException;

import java.util.regex.Pattern;

/**
 * The org context of a request, decided here and nowhere else; the rate limiter, billing, the
 * vault and the gateway all get the decided id. In order of precedence:
 * <ol>
 *   <li>{@code org_id} in the body of a chat completion, a response or an embedding request,</li>
 *   <li>the {@code org_id} query parameter,</li>
 *   <li>on the OpenAI-compatible operations ({@code /v1/…}), the {@code OpenAI-Organization}
 *       header, but only when it holds a Forge org id ({@code org_…}). The OpenAI SDKs send this
 *       header whenever {@code OPENAI_ORG_ID} is set in the client's environment, with OpenAI's
 *       own ids ({@code org-…}); such a value is ignored and the call is personal.</li>
 * </ol>
 * A body or query value that is not a Forge org id, and a Forge org id the caller is not a member
 * of, answer 404 {@code org_not_found} ({@link Errors#orgNotFound()}) on every operation: here for
 * the shape, in the rate limiter (whose plan lookup checks membership) and in every service that
 * acts for the org. No context means the caller's personal plan, quota and keys.
 */
public final class OrgContext {

  static final String KEY = "forge.org_id";
  static final String HEADER = "openai-organization";
  /** Forge org ids are {@code org_} and 20 base36 characters; anything of this shape is looked up. */
  private static final Pattern FORGE_ORG_ID = Pattern.compile("org_[A-Za-z0-9]{1,60}");

  private OrgContext() {
  }

  /** Decides the context from the query and header before the rate limit; refuses a malformed explicit id. */
  static Routes.Check check() {
    return ctx -> {
      String query = ctx.request().getParam("org_id");
      if (query != null && !query.isEmpty()) {
        if (!isForgeOrgId(query)) {
          fail(ctx);
          return;
        }
        ctx.put(KEY, query);
      } else if (ctx.request().path().startsWith("/v1/")) {
        String header = ctx.request().getHeader(HEADER);
        if (header != null && isForgeOrgId(header.trim())) {
          ctx.put(KEY, header.trim());
        }
      }
      ctx.next();
    };
  }

  /** The decided org id, or null for a personal request. */
  public static String of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** The context of an operation whose body may name the org: its {@code org_id} wins; throws 404 when it is not a Forge org id. */
  static String withBody(RoutingContext ctx, JsonObject body) {
    Object inBody = body.getValue("org_id");
    if (inBody == null) {
      return of(ctx);
    }
    if (!(inBody instanceof String id) || !isForgeOrgId(id)) {
      throw Errors.orgNotFound();
    }
    return id;
  }

  static boolean isForgeOrgId(String value) {
    return value.length() <= 64 && FORGE_ORG_ID.matcher(value).matches();
  }

  private static void fail(RoutingContext ctx) {
    ServiceException e = Errors.orgNotFound();
    ApiError.send(ctx, 404, e.getDebugInfo().getString("code"), e.getMessage(), "org_id");
  }
}
