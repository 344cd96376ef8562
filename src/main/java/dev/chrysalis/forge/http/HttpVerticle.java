package dev.chrysalis.forge.http;

import dev.chrysalis.forge.auth.AuthConfig;
import dev.chrysalis.forge.auth.ApiKeyPrincipals;
import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.auth.JwtTokens;
import dev.chrysalis.forge.auth.SessionStates;
import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.config.ConfiguredVerticle;
import dev.chrysalis.forge.ratelimit.RateLimitConfig;
import dev.chrysalis.forge.ratelimit.InProcessLimiter;
import dev.chrysalis.forge.limits.PlanLimits;
import dev.chrysalis.forge.metrics.Metrics;
import dev.chrysalis.forge.gateway.ChatGateway;
import dev.chrysalis.forge.outbound.OutboundConfig;
import dev.chrysalis.forge.gateway.GatewayConfig;
import dev.chrysalis.forge.gateway.ModelList;
import dev.chrysalis.forge.gateway.ThreadChat;
import dev.chrysalis.forge.responses.ResponseService;
import dev.chrysalis.forge.responses.ResponsesApi;
import dev.chrysalis.forge.store.Pools;
import dev.chrysalis.forge.workspace.WorkspaceService;
import dev.chrysalis.forge.vault.VaultService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.sqlclient.Pool;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP front door. Routes and request validation come from {@code openapi/forge.yaml};
 * handlers are thin and talk to the services over the bus. Deployed once per core.
 */
public class HttpVerticle extends ConfiguredVerticle {

  public static final String CONTRACT_PATH = "openapi/forge.yaml";
  /** After the grace period, how long a connection may take to carry the final event of a cut stream. */
  private static final long LAST_EVENT_MS = 2_000;
  private static final int[] ERROR_STATUSES = {400, 401, 403, 404, 405, 413, 415, 500, 501, 502, 503};

  private HttpServer server;
  private Pool pool;
  private Readiness readiness;
  private long shutdownGraceSeconds;
  private ChatGateway gateway;
  private SessionStates sessions;
  private ApiKeyPrincipals apiKeys;
  public HttpVerticle(JsonObject config) {
    super(config);
  }

  @Override
  public Future<?> start() {
    HttpConfig http = HttpConfig.from(config());
    shutdownGraceSeconds = http.shutdownGraceSeconds();
    pool = Pools.shared(vertx, config());
    AuthService auth = AuthService.createProxy(vertx);
    BillingService billing = BillingService.createProxy(vertx);
    GatewayConfig gatewayConfig = GatewayConfig.from(config());
    gateway = new ChatGateway(vertx, gatewayConfig, OutboundConfig.from(config()), PlanLimits.from(config()), billing,
      VaultService.createProxy(vertx));
    JwtTokens jwt = new JwtTokens(vertx, AuthConfig.from(config()));
    String version = config().getString("version", "dev");

    ModelList models = new ModelList(gatewayConfig, gateway.router(), gateway.keys(), gateway.proxy().client());

    Future<ConsoleAssets> console = ConsoleAssets.load(vertx);
    IntakeBudget budget = IntakeBudget.of(vertx, http);
    BodyIntake bodies = new BodyIntake(vertx, budget, http.bodyDeadlineMs());
    ClientIp clientIp = new ClientIp(http.trustedProxies());
    Metrics metrics = Metrics.of(vertx);
    metrics.gauge(Metrics.HTTP_BODY_BYTES, budget::bytesInUse);
    metrics.counterOf(Metrics.HTTP_CONNECTIONS_REFUSED, budget.refusedConnections);

    return vertx.fileSystem().readFile(CONTRACT_PATH).compose(contractText ->
      Future.all(RouterContract.fromText(vertx, contractText.toString()), console).compose(loaded -> {
        OpenAPIContract parsed = loaded.resultAt(0);
        CachedValidatorContract contract = new CachedValidatorContract(parsed);
        RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
        builder.rootHandler(new SlashedModelIds());
        builder.rootHandler(new RequestLog(clientIp));
        if (!http.allowedOrigins().isEmpty()) {
          builder.rootHandler(cors(http));
        }
        builder.rootHandler(bodies.gate());
        builder.rootHandler(TextCheck::headersAndQuery);

        apiKeys = new ApiKeyPrincipals(vertx, auth, AuthConfig.from(config()).apiKeyCacheSize());
        ForgeAuthProvider bearer = new ForgeAuthProvider(apiKeys, jwt, false);
        ForgeAuthProvider keyOnly = new ForgeAuthProvider(apiKeys, jwt, true);
        builder.security("bearerAuth").httpHandler(new AuthUnavailable.Bearer(bearer, "chrysalis-forge"));
        builder.security("apiKeyHeader").apiKeyHandler(new AuthUnavailable.ApiKey(keyOnly).header("x-api-key"));
        builder.security("apiKeyQuery").apiKeyHandler(new AuthUnavailable.ApiKey(keyOnly).parameter("api_key"));

        Routes routes = new Routes(builder, RequestValidator.create(vertx, contract),
          RequestValidator.create(vertx, contract.parametersOnly()),
          bodies.reader(http.maxPublicBodyBytes()), bodies.reader(http.maxBodyBytes()));
        RateLimitCheck rateLimit = new RateLimitCheck(
          InProcessLimiter.forThisNode(vertx, RateLimitConfig.from(config()).checkTimeoutMs()));
        sessions = new SessionStates(vertx, AuthConfig.from(config()).apiKeyCacheSize(), auth::sessionState)
          .onChange(gateway::endCallsOf);
        // the org context is decided once, before the rate limit whose tier depends on it
        routes.addAuthedCheck(new SessionCheck(sessions)).addAuthedCheck(OrgContext.check())
          .addAuthedCheck(rateLimit.perUser()).addOpenCheck(rateLimit.perClientIp());
        if (AuthConfig.from(config()).requireVerifiedEmail()) {
          routes.requireVerifiedEmail(new VerifiedEmailCheck(auth));
        }
        new SystemRoutes(pool, version).mount(routes);
        readiness = new Readiness(vertx, pool, config());
        readiness.mount(routes, version);
        new MetricsRoutes(vertx, config()).mount(routes);
        new AuthRoutes(auth).mount(routes);
        WorkspaceService workspace = WorkspaceService.createProxy(vertx);
        new OrgRoutes(workspace, billing).mount(routes);
        new ProjectRoutes(workspace).mount(routes);
        new ThreadRoutes(workspace).mount(routes);
        new SessionRoutes(workspace).mount(routes);
        new BillingRoutes(billing).mount(routes);
        new AdminRoutes(billing, auth).mount(routes);
        new ProviderKeyRoutes(VaultService.createProxy(vertx)).mount(routes);
        new GatewayRoutes(gateway, models, new ThreadChat(gateway, workspace, gatewayConfig)).mount(routes);
        new ResponseRoutes(new ResponsesApi(gateway, ResponseService.createProxy(vertx))).mount(routes);

        Router router = builder.createRouter();
        DocsRoutes.mount(router, contractText);
        ConsoleRoutes.mount(router, console.result());
        for (int status : ERROR_STATUSES) {
          router.errorHandler(status, FailureMapper::handle);
        }
        return Future.all(sessions.ready(), apiKeys.ready(), gateway.ready(), Warmup.run(vertx, contract))
          .compose(v -> vertx.createHttpServer(new HttpServerOptions()
            .setHost(http.host())
            .setPort(http.port())
            .setCompressionSupported(true)
            .setIdleTimeout(http.idleTimeoutSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setMaxHeaderSize(16 * 1024))
          .connectionHandler(conn -> admit(conn, budget, clientIp))
          .requestHandler(router)
          .invalidRequestHandler(MalformedRequests::answer)
          .listen()
          .onSuccess(s -> server = s));
      }));
  }

  /**
   * Caps open connections per peer address. A trusted proxy carries many clients, so its
   * connections are not capped (the proxy limits its own clients).
   */
  private static void admit(HttpConnection conn, IntakeBudget budget, ClientIp clientIp) {
    String peer = conn.remoteAddress() == null ? "unknown" : conn.remoteAddress().hostAddress();
    if (clientIp.isTrusted(peer)) {
      return;
    }
    String block = ClientIp.block(peer);
    if (!budget.openConnection(block)) {
      conn.close();
      return;
    }
    conn.closeHandler(v -> budget.closeConnection(block));
  }

  private static CorsHandler cors(HttpConfig http) {
    CorsHandler cors = http.allowedOrigins().contains("*")
      ? CorsHandler.create().addOrigin("*")
      : CorsHandler.create().addOrigins(http.allowedOrigins());
    return cors
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE,
        HttpMethod.OPTIONS))
      .allowedHeaders(Set.of("authorization", "content-type", "x-api-key", "x-request-id", "openai-organization"))
      .exposedHeaders(Set.of("x-request-id", "x-thread-id", "x-session-id", "retry-after", "x-ratelimit-limit",
        "x-ratelimit-remaining", "x-ratelimit-reset", "ratelimit", "ratelimit-policy", "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"))
      .maxAgeSeconds(600);
  }

  /**
   * Stops accepting, lets in-flight requests finish within the grace period, then closes. Chat
   * calls still running at the deadline are ended by the gateway (a stream with a final error
   * event); connections get a little longer to carry that last event before they are cut.
   */
  @Override
  public Future<?> stop() {
    long graceMs = TimeUnit.SECONDS.toMillis(shutdownGraceSeconds);
    if (gateway != null) {
      gateway.endCallsAfter(graceMs);
    }
    Future<Void> closing = server == null
      ? Future.succeededFuture()
      : server.shutdown(graceMs + LAST_EVENT_MS, TimeUnit.MILLISECONDS);
    return closing.eventually(() -> gateway == null ? Future.succeededFuture() : gateway.close())
      .eventually(() -> readiness == null ? Future.succeededFuture() : readiness.close())
      .eventually(() -> sessions == null ? Future.succeededFuture() : sessions.close())
      .eventually(() -> apiKeys == null ? Future.succeededFuture() : apiKeys.close())
      .eventually(() -> pool.close());
  }
}
