package dev.chrysalis.forge.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.serviceproxy.ServiceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How handler classes attach to contract operations. {@link #authed} puts the guard in front
 * (API-key scope from {@code x-forge-scope}, then any checks other packages add, such as the rate
 * limiter), so no authenticated operation can be mounted without it.
 */
public final class Routes {

  /** A check that runs after authentication and before the handler; fail the context to refuse. */
  public interface Check extends Handler<RoutingContext> {
  }

  /**
   * Parses and checks an operation's JSON body in code instead of the schema validator (for hot
   * routes whose schema is costly to walk); throws a ServiceException (400) naming the field. Each
   * such check has a test that feeds it and the contract's schema the same bodies.
   */
  public interface BodyCheck {
    JsonObject parse(Buffer body);
  }

  private final RouterBuilder builder;
  private final RequestValidator validator;
  /** Validates parameters only: the operations with a {@link BodyCheck} check their body themselves. */
  private final RequestValidator parameters;
  private final Handler<RoutingContext> publicBody;
  private final Handler<RoutingContext> authedBody;
  private final List<Check> authedChecks = new ArrayList<>();
  private final List<Check> openChecks = new ArrayList<>();
  private final List<String> mounted = new ArrayList<>();
  private Check verifiedEmail;

  /**
   * The builder's own validation runs before every handler added here, so it is switched off and
   * {@link #validation} runs instead, after the checks that decide whether the request is served.
   */
  public Routes(RouterBuilder builder, RequestValidator validator, RequestValidator parameters,
                Handler<RoutingContext> publicBody, Handler<RoutingContext> authedBody) {
    this.builder = builder;
    this.validator = validator;
    this.parameters = parameters;
    this.publicBody = publicBody;
    this.authedBody = authedBody;
  }

  /**
   * Puts this check in front of every authenticated operation the contract does not mark
   * {@code x-forge-unverified: allowed} (CHRYSALIS_REQUIRE_VERIFIED_EMAIL).
   */
  public Routes requireVerifiedEmail(Check check) {
    verifiedEmail = check;
    return this;
  }

  /** Adds a check run on every authenticated operation, in the order added. */
  public Routes addAuthedCheck(Check check) {
    authedChecks.add(check);
    return this;
  }

  /**
   * Adds a check run on every public operation (such as the per-IP rate limit), except those
   * the contract marks {@code x-forge-rate-limit: none} (health probes).
   */
  public Routes addOpenCheck(Check check) {
    openChecks.add(check);
    return this;
  }

  public void open(String operationId, Handler<RoutingContext> handler) {
    OpenAPIRoute route = route(operationId);
    String path = route.getOperation().getOpenAPIPath();
    route.addHandler(ctx -> {
      ctx.put(RequestLog.ROUTE, path);
      ctx.next();
    });
    if (!"none".equals(route.getOperation().getExtensions().get("x-forge-rate-limit"))) {
      openChecks.forEach(route::addHandler);
    }
    route.addHandler(publicBody);
    addValidated(route, null, handler);
  }

  public void authed(String operationId, Handler<RoutingContext> handler) {
    authed(operationId, null, handler);
  }

  /** As {@link #authed(String, Handler)}, with the body checked by {@code bodyCheck} instead of the schema validator. */
  public void authed(String operationId, BodyCheck bodyCheck, Handler<RoutingContext> handler) {
    OpenAPIRoute route = route(operationId);
    Operation op = route.getOperation();
    String path = op.getOpenAPIPath();
    Object scope = op.getExtensions().get("x-forge-scope");
    if (!(scope instanceof String requiredScope)) {
      throw new IllegalStateException("operation " + operationId + " has no x-forge-scope in the contract");
    }
    route.addHandler(ctx -> {
      ctx.put(RequestLog.ROUTE, path);
      JsonArray scopes = ctx.user().principal().getJsonArray("scopes", new JsonArray());
      if (!scopes.contains("*") && !scopes.contains(requiredScope)) {
        ApiError.send(ctx, 403, "insufficient_scope",
          "This API key lacks the '" + requiredScope + "' scope needed here.", null);
        return;
      }
      ctx.next();
    });
    authedChecks.forEach(route::addHandler);
    if (verifiedEmail != null && !"allowed".equals(op.getExtensions().get("x-forge-unverified"))) {
      route.addHandler(verifiedEmail);
    }
    route.addHandler(authedBody);
    addValidated(route, bodyCheck, handler);
  }

  /**
   * The tail every operation shares, after its body was read: path text check, contract
   * validation, body text check, handler. Nothing before the body reader reads the body, so a
   * request refused by authentication, scope or rate limit costs no body memory, and every request
   * that reaches validation has been counted by the rate limiter.
   */
  private void addValidated(OpenAPIRoute route, BodyCheck bodyCheck, Handler<RoutingContext> handler) {
    route.addHandler(TextCheck::path);
    route.addHandler(bodyCheck == null ? validation(route.getOperation()) : checked(route.getOperation(), bodyCheck));
    route.addHandler(TextCheck::body);
    route.addHandler(handler);
  }

  private Handler<RoutingContext> validation(Operation op) {
    String operationId = op.getOperationId();
    return ctx -> RequestUtils.extract(ctx.request(), op, () -> Future.succeededFuture(ctx.body().buffer()))
      .compose(request -> validator.validate(request, operationId))
      .onSuccess(validated -> {
        ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
        ctx.next();
      })
      .onFailure(ctx::fail);
  }

  /**
   * Parameters through the schema validator, the body through {@code check}. The content type is
   * the contract's (application/json), answered 415 otherwise as the validator would.
   */
  private Handler<RoutingContext> checked(Operation op, BodyCheck check) {
    String operationId = op.getOperationId();
    return ctx -> {
      if (!json(ctx.request().getHeader("content-type"))) {
        ctx.fail(415);
        return;
      }
      RequestUtils.extract(ctx.request(), op, () -> Future.succeededFuture(Buffer.buffer()))
        .compose(request -> parameters.validate(request, operationId))
        .onSuccess(params -> {
          JsonObject body;
          try {
            body = check.parse(ctx.body().buffer());
          } catch (ServiceException e) {
            ctx.fail(e);
            return;
          }
          ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, new CheckedRequest(params, body));
          ctx.next();
        })
        .onFailure(ctx::fail);
    };
  }

  private static boolean json(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return type.equalsIgnoreCase("application/json");
  }

  /** Validated parameters and a body checked in code. */
  private record CheckedRequest(ValidatedRequest params, JsonObject json) implements ValidatedRequest {

    @Override
    public Map<String, RequestParameter> getCookies() {
      return params.getCookies();
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return params.getHeaders();
    }

    @Override
    public Map<String, RequestParameter> getPathParameters() {
      return params.getPathParameters();
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return params.getQuery();
    }

    @Override
    public RequestParameter getBody() {
      return new RequestParameterImpl(json);
    }
  }

  public List<String> mounted() {
    return List.copyOf(mounted);
  }

  private OpenAPIRoute route(String operationId) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) {
      throw new IllegalStateException("no operation " + operationId + " in the contract");
    }
    if (mounted.contains(operationId)) {
      throw new IllegalStateException("operation " + operationId + " mounted twice");
    }
    mounted.add(operationId);
    route.setDoValidation(false);
    return route;
  }

  // ---- small helpers for handlers ----

  public static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  public static JsonObject body(RoutingContext ctx) {
    RequestParameter body = validated(ctx).getBody();
    return body == null || body.isNull() ? new JsonObject() : body.getJsonObject();
  }

  public static String pathParam(RoutingContext ctx, String name) {
    return validated(ctx).getPathParameters().get(name).getString();
  }

  public static String query(RoutingContext ctx, String name) {
    RequestParameter p = validated(ctx).getQuery().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  public static String userId(RoutingContext ctx) {
    User user = ctx.user();
    return user == null ? null : user.principal().getString("user_id");
  }

  /** Request facts services record in audit events. */
  public static JsonObject requestContext(RoutingContext ctx) {
    return new JsonObject()
      .put("ip", RequestLog.clientIp(ctx))
      .put("user_agent", truncate(ctx.request().getHeader("user-agent"), 256))
      .put("request_id", RequestLog.requestId(ctx));
  }

  public static <T> void respond(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onSuccess(json -> {
      if (!ctx.response().ended()) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(json.toBuffer());
      }
    }).onFailure(ctx::fail);
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
