package dev.chrysalis.forge.http;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.gateway.ChatBodyCheck;
import dev.chrysalis.forge.gateway.ChatGateway;
import dev.chrysalis.forge.gateway.EmbeddingGateway;
import dev.chrysalis.forge.gateway.ModelList;
import dev.chrysalis.forge.gateway.ThreadChat;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.serviceproxy.ServiceException;

/** Handlers of the {@code gateway} tag. The proxying itself lives in the gateway package. */
final class GatewayRoutes {

  private final ChatGateway gateway;
  private final ModelList models;
  private final ThreadChat threads;
  private final EmbeddingGateway embeddings;

  GatewayRoutes(ChatGateway gateway, ModelList models, ThreadChat threads) {
    this.gateway = gateway;
    this.embeddings = new EmbeddingGateway(gateway);
    this.models = models;
    this.threads = threads;
  }

  void mount(Routes routes) {
    routes.authed("createChatCompletion", ChatBodyCheck::parse, ctx -> {
      JsonObject body = Routes.body(ctx);
      String org;
      try {
        org = OrgContext.withBody(ctx, body);
      } catch (ServiceException e) {
        answerFailure(ctx, e);
        return;
      }
      ChatGateway.Caller caller = caller(ctx, org);
      gateway.chat(body, ctx.body().buffer(), caller, ctx.response()).onSuccess(outcome -> answerFailure(ctx, outcome.unanswered()));
    });

    routes.authed("sendThreadMessage", ctx -> {
      ChatGateway.Caller caller = caller(ctx, null);
      JsonObject body = Routes.body(ctx);
      if (Boolean.TRUE.equals(body.getValue("stream"))) {
        threads.stream(caller, Routes.pathParam(ctx, "id"), body, ctx.response())
          .onFailure(t -> answerFailure(ctx, t instanceof ServiceException e ? e
            : Errors.error(500, "internal_error", "The server could not complete the request.", null)));
      } else {
        Routes.respond(ctx, 200, threads.send(caller, Routes.pathParam(ctx, "id"), body));
      }
    });

    routes.authed("createEmbedding", ctx -> {
      JsonObject body = Routes.body(ctx);
      String org;
      try {
        org = OrgContext.withBody(ctx, body);
      } catch (ServiceException e) {
        GatewayRoutes.answerFailure(ctx, e);
        return;
      }
      ChatGateway.Caller caller = caller(ctx, org);
      embeddings.embed(body, caller)
        .onSuccess(json -> ctx.response().setStatusCode(200).putHeader("content-type", "application/json")
          .end(json.toBuffer()))
        .onFailure(t -> answerFailure(ctx, t instanceof ServiceException e ? e
          : Errors.error(500, "internal_error", "The server could not complete the request.", null)));
    });

    routes.authed("listModels", ctx -> Routes.respond(ctx, 200, models.list()));

    routes.authed("retrieveModel", ctx -> Routes.respond(ctx, 200, models.get(Routes.pathParam(ctx, "id"))));

    routes.authed("getModelInfo", ctx -> Routes.respond(ctx, 200,
      models.get(Routes.pathParam(ctx, "model_name"))));
  }

  /**
   * The gateway's caller: the user, the decided org, the request id and, for a session token, the
   * session version it carries (so the call ends with the session; see {@link ChatGateway#endCallsOf}).
   */
  static ChatGateway.Caller caller(RoutingContext ctx, String orgId) {
    JsonObject principal = ctx.user().principal();
    Long sessionVersion = "jwt".equals(principal.getString("via")) ? principal.getLong("session_version", 0L) : null;
    return new ChatGateway.Caller(Routes.userId(ctx), orgId, RequestLog.requestId(ctx), null, sessionVersion);
  }

  /** Errors before the first byte go out in our shape; x-should-retry:false when waiting will not help. */
  static void answerFailure(RoutingContext ctx, ServiceException e) {
    if (e == null || ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (ctx.response().headWritten()) {
      // a stream had begun: no JSON error can follow its chunks any more
      ctx.response().reset();
      return;
    }
    if (e.getDebugInfo() != null && Boolean.FALSE.equals(e.getDebugInfo().getValue("should_retry"))) {
      ctx.response().putHeader("x-should-retry", "false");
    }
    ctx.fail(e);
  }
}
