package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.outbound.OutboundConfig;
import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.limits.PlanLimits;
import dev.chrysalis.forge.logging.LogText;
import dev.chrysalis.forge.vault.VaultService;
import dev.chrysalis.forge.usage.UsageEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The chat hot path after authentication and the rate limit: check the body, route the model,
 * admission by billing in one call (the model's tier, then one message of the quota; an admission
 * that counts nothing is reused from {@link Admissions}), resolve the provider key with the vault
 * (the service key reused from {@link ServiceKeyResolutions}) (the user's, else the org's, else the service key; on the service
 * key the call may not ask for more than the plan pays for, see {@link ServiceKeyCallCheck}), call upstream,
 * then record usage — or give the reserved message back when the call failed before producing
 * anything. Anything refused here costs no upstream call. Runs in
 * the HTTP verticle, one instance per verticle instance; each call is logged once.
 */
public final class ChatGateway {

  private static final Logger CALLS = LoggerFactory.getLogger("forge.gateway");
  /** How long {@link #close} waits for usage still being recorded. */
  private static final long SETTLE_WAIT_MS = 10_000;

  private final Vertx vertx;
  /** recordUsage calls not answered yet; touched only on this verticle's event loop. */
  private final Set<Future<JsonObject>> settling = new HashSet<>();
  private long deadlineTimer = -1;

  private final ModelRouter router;
  private final ServiceEnvironmentKeys keys;
  private final ChatProxy proxy;
  private final BillingService billing;
  private final VaultService vault;

  private final PlanLimits limits;
  private final ConcurrentCalls inFlight;
  private final Admissions admissions;
  private final ServiceKeyResolutions serviceKeys;

  public ChatGateway(Vertx vertx, GatewayConfig config, OutboundConfig outbound, PlanLimits limits,
                     BillingService billing, VaultService vault) {
    this.vertx = vertx;
    this.limits = limits;
    this.inFlight = ConcurrentCalls.of(vertx);
    this.billing = billing;
    this.vault = vault;
    this.router = new ModelRouter(config);
    this.keys = new ServiceEnvironmentKeys(config);
    this.proxy = new ChatProxy(vertx, config, outbound, limits.slowReaderTimeoutMs());
    this.admissions = new Admissions(vertx);
    this.serviceKeys = new ServiceKeyResolutions(vertx);
  }

  /** Completes once the near caches' event consumers are registered. */
  public Future<Void> ready() {
    return Future.all(admissions.ready(), serviceKeys.ready()).mapEmpty();
  }

  public ModelRouter router() {
    return router;
  }

  public ServiceEnvironmentKeys keys() {
    return keys;
  }

  /**
   * Who is calling, as the HTTP layer knows it; {@code sessionId} when the call belongs to a thread
   * session; {@code sessionVersion} the session token's version ({@code sv}), null for an API key.
   */
  public record Caller(String userId, String orgId, String requestId, String sessionId, Long sessionVersion) {

    public Caller(String userId, String orgId, String requestId) {
      this(userId, orgId, requestId, null, null);
    }

    public Caller inSession(String id) {
      return new Caller(userId, orgId, requestId, id, sessionVersion);
    }

    /** Whether an account state published after a revocation ends this caller's calls. */
    boolean endedBy(boolean accountActive, long accountSessionVersion) {
      return !accountActive || sessionVersion != null && sessionVersion < accountSessionVersion;
    }
  }

  /**
   * Serves one chat completion. The future always succeeds once the call is over; when
   * {@link CallOutcome#unanswered()} is set, nothing was written and the caller answers with it.
   */
  public Future<CallOutcome> chat(JsonObject body, Caller caller, HttpServerResponse response) {
    return chat(body, caller, response, false);
  }

  /**
   * As above, for a body parsed from the client's bytes {@code raw} with no key repeated (see
   * {@link ChatBodyCheck}): an OpenAI-compatible upstream is sent those bytes when nothing needs
   * translating.
   */
  public Future<CallOutcome> chat(JsonObject body, Buffer raw, Caller caller, HttpServerResponse response) {
    return chat(body, null, raw, caller, response, false, true, null);
  }

  /** As above, for a body the caller has already routed to {@code route} (the model it names). */
  public Future<CallOutcome> chat(JsonObject body, ModelRoute route, Caller caller, HttpServerResponse response,
                                  boolean heldOpen) {
    return chat(body, route, null, caller, response, heldOpen, true, null);
  }

  /**
   * As above; with {@code heldOpen} a stream is left open for the caller to finish (see
   * {@link ChatCall#heldOpen()}): the outcome carries what was streamed, usage is already recorded.
   */
  public Future<CallOutcome> chat(JsonObject body, Caller caller, HttpServerResponse response, boolean heldOpen) {
    return chat(body, caller, response, heldOpen, true);
  }

  /**
   * As above; {@code counted} false for a call the service makes on the user's behalf inside
   * another (a thread session's summary), which takes no slot of the user's concurrent calls.
   */
  public Future<CallOutcome> chat(JsonObject body, Caller caller, HttpServerResponse response, boolean heldOpen,
                                  boolean counted) {
    return chat(body, null, null, caller, response, heldOpen, counted, null);
  }

  /**
   * A call made for another API than chat completions (the Responses API): the same checks,
   * admission, key, upstream call and billing; a stream's chat events go to {@code tap}, which
   * answers the client, and the stream is held open for the caller to end.
   */
  public Future<CallOutcome> chat(JsonObject body, Caller caller, HttpServerResponse response, ChunkTap tap) {
    return chat(body, null, null, caller, response, tap != null, true, tap);
  }

  private Future<CallOutcome> chat(JsonObject body, ModelRoute routed, Buffer raw, Caller caller,
                                   HttpServerResponse response, boolean heldOpen, boolean counted, ChunkTap tap) {
    long start = System.nanoTime();
    ChatCall call;
    try {
      ChatRequestCheck.check(body);
      ModelRoute route = routed != null ? routed : router.route(body.getString("model"));
      ParameterRules.check(route.provider(), body);
      if (route.catalog() != null && route.catalog().embedding()) {
        throw Errors.error(400, "invalid_request", "Invalid value for 'model': '" + route.catalog().id()
          + "' is an embedding model; use /v1/embeddings.", "model");
      }
      boolean stream = Boolean.TRUE.equals(body.getValue("stream"));
      boolean includeUsage = stream && body.getValue("stream_options") instanceof JsonObject o
        && Boolean.TRUE.equals(o.getValue("include_usage"));
      call = new ChatCall(body, route, stream, includeUsage,
        "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""), System.currentTimeMillis() / 1000,
        stream && heldOpen, stream ? tap : null, raw);
    } catch (ServiceException e) {
      return Future.succeededFuture(new CallOutcome(e.failureCode(), Usage.NONE, code(e), false, e));
    }
    // billing keys on the catalog's canonical model and on the server's id of this call; the
    // client's x-request-id rides along for correlation only (a replayed one must not merge calls)
    String billedModel = call.route().model().id();
    // one bus hop: the model gate, then (only if it passes) one message of the quota
    Future<JsonObject> quota = admissions.admit(caller.userId(), caller.orgId(), billedModel, () -> billing.admitMessage(
      new JsonObject()
        .put("user_id", caller.userId()).put("org_id", caller.orgId()).put("request_id", call.completionId())
        .put("client_request_id", caller.requestId()).put("model", billedModel)));
    JsonObject keyRequest = new JsonObject()
      .put("user_id", caller.userId())
      .put("provider", call.provider())
      .put("org_id", caller.orgId())
      .put("prefer_byok", true);
    boolean[] slot = {false};
    return quota
      .compose(ok -> {
        if (!counted) {
          return Future.succeededFuture(ok);
        }
        int cap = limits.cap(ok.getString("plan_id"), PlanLimits.Kind.CONCURRENT_CALLS);
        if (inFlight.tryAcquire(caller.userId(), cap)) {
          slot[0] = true;
          return Future.succeededFuture(ok);
        }
        // refused before any upstream work: the message goes back
        return release(ok).compose(v -> Future.failedFuture(tooManyCalls(cap)));
      })
      .compose(ok -> serviceKeys.resolve(caller.userId(), caller.orgId(), call.provider(), () -> vault.resolve(keyRequest))
        .map(resolved -> {
          Credentials c = Credentials.from(resolved);
          if (!c.byok()) {
            // the operator pays the provider: the call may not ask for more than the plan pays for
            String plan = ok.getString("plan_id");
            ServiceKeyCallCheck.check(body, plan, limits.serviceKeyCalls(plan));
          }
          return c;
        })
        .recover(t -> release(quota.result()).transform(v -> Future.failedFuture(t)))
        .compose(credentials -> proxy.call(call, caller, credentials, response)
          .compose(outcome -> settle(call, caller, billedModel, credentials, quota.result(), outcome))))
      .recover(t -> {
        ServiceException e = t instanceof ServiceException se ? se
          : Errors.error(500, "internal_error", "The server could not complete the request.", null);
        return Future.succeededFuture(new CallOutcome(e.failureCode(), Usage.NONE, code(e), false, e));
      })
      .onComplete(ar -> {
        if (slot[0]) {
          inFlight.release(caller.userId());
        }
      })
      .onSuccess(outcome -> log(call, caller, outcome, start));
  }

  /**
   * Takes one of the user's concurrent-call slots for a call other than chat (an embeddings call)
   * under the cap of {@code planId}; the future holds what gives it back, and fails with 429
   * {@code too_many_concurrent_calls} when the user already holds the cap.
   */
  Future<Runnable> takeSlot(Caller caller, String planId) {
    int cap = limits.cap(planId, PlanLimits.Kind.CONCURRENT_CALLS);
    if (!inFlight.tryAcquire(caller.userId(), cap)) {
      return Future.failedFuture(tooManyCalls(cap));
    }
    boolean[] given = {false};
    return Future.succeededFuture(() -> {
      if (!given[0]) {
        given[0] = true;
        inFlight.release(caller.userId());
      }
    });
  }

  private static ServiceException tooManyCalls(int cap) {
    ServiceException e = Errors.error(429, PlanLimits.Kind.CONCURRENT_CALLS.code(),
      "You already have " + cap + " calls in progress, the most your plan allows at once. Retry when one has finished.",
      null);
    e.getDebugInfo().put("retry_after", 1);
    return e;
  }

  /**
   * A call that failed before producing anything gives its message back; any other ending
   * (complete, cut mid-stream, client gone) is billed with the usage it has, reported or estimated.
   */
  private Future<CallOutcome> settle(ChatCall call, Caller caller, String billedModel, Credentials credentials,
                                    JsonObject reservation, CallOutcome outcome) {
    if (outcome.unanswered() != null) {
      // answered only once the message is back, so an immediate retry has it
      return release(reservation).map(outcome);
    }
    JsonObject event = new JsonObject()
      .put("id", call.completionId())
      .put("client_request_id", caller.requestId())
      .put("user_id", caller.userId())
      .put("org_id", caller.orgId())
      .put("session_id", caller.sessionId())
      .put("model", billedModel)
      .put("requested_model", call.route().requested())
      .put("provider", call.provider())
      .put("input_tokens", outcome.usage().promptTokens())
      .put("output_tokens", outcome.usage().completionTokens())
      .put("estimated", outcome.usage().estimated())
      .put("is_byok", credentials.byok())
      .put("provider_key_id", credentials.providerKeyId())
      .put("reservation_id", reservation.getString("reservation_id"));
    Future<JsonObject> recorded = record(event, call.stream());
    return Future.succeededFuture(outcome.withCost(recorded.map(r -> new BigDecimal(String.valueOf(r.getValue("cost_usd"))))));
  }

  /**
   * Records one upstream call's usage with billing (the ledger row, its cost, Autumn tracking) and,
   * once recorded, publishes it on {@value UsageEvent#ADDRESS}; {@link #close} waits for it.
   */
  Future<JsonObject> record(JsonObject event, boolean stream) {
    Future<JsonObject> recorded = billing.recordUsage(event);
    settling.add(recorded);
    recorded.onComplete(ar -> {
      settling.remove(recorded);
      if (ar.failed()) {
        // billing keeps queued events through a database outage, so this may still land later
        CALLS.error("usage of call {} (request {}) not confirmed: {}", event.getString("id"),
          event.getString("client_request_id"), ar.cause().getMessage());
      } else if (ar.result().getBoolean("recorded", false)) {
        JsonObject published = event.copy().put("stream", stream).put("cost_usd", ar.result().getValue("cost_usd"));
        published.remove("reservation_id");
        UsageEvent.publish(vertx, published);
      }
    });
    return recorded;
  }

  BillingService billing() {
    return billing;
  }

  VaultService vault() {
    return vault;
  }

  private Future<Void> release(JsonObject reservation) {
    String id = reservation == null ? null : reservation.getString("reservation_id");
    if (id == null) {
      return Future.succeededFuture();
    }
    return billing.releaseMessage(id).<Void>mapEmpty().recover(t -> {
      CALLS.warn("reservation {} not released: {}", id, t.getMessage());
      return Future.succeededFuture();
    });
  }

  private static String code(ServiceException e) {
    return e.getDebugInfo() == null ? null : e.getDebugInfo().getString("code");
  }

  /** One line per call: provider, model, status, tokens, ms, request id. Never bodies or keys. */
  private static void log(ChatCall call, Caller caller, CallOutcome o, long start) {
    if (CALLS.isInfoEnabled()) {
      CALLS.info("chat provider={} model={} stream={} status={} code={} in={} out={} estimated={} ms={} id={} user={}",
        call.provider(), LogText.bounded(call.upstreamModel(), 100), call.stream(), o.status(), o.errorCode() == null ? "-" : o.errorCode(),
        o.usage().promptTokens(), o.usage().completionTokens(), o.usage().estimated(),
        (System.nanoTime() - start) / 1_000_000, caller.requestId(), caller.userId());
    }
  }

  /**
   * The server is shutting down: calls still running {@code afterMs} from now are ended then
   * (a stream with a final error event the OpenAI SDKs raise, a call that wrote nothing with 503
   * {@code server_shutting_down}), and billed with what they produced. Call on this verticle's
   * event loop.
   */
  public void endCallsAfter(long afterMs) {
    deadlineTimer = vertx.setTimer(Math.max(1, afterMs), id -> {
      deadlineTimer = -1;
      int ended = proxy.endAll(Errors.error(503, "server_shutting_down",
        "The server is shutting down and ended this answer early. Retry the request.", null));
      if (ended > 0) {
        CALLS.warn("shutdown deadline: ended {} call(s) still in progress", ended);
      }
    });
  }

  /**
   * An account's sessions were ended or its status changed (published on
   * {@code forge.events.user.sessions_revoked}): calls in progress on this verticle that the new
   * state no longer allows are ended now — every call of a suspended account, and the calls made
   * with a session token older than the account's session version (API-key calls outlive a
   * logout, as the keys do). A stream that began gets a final error event in our shape, a call
   * that wrote nothing yet answers it; each is billed with what it produced. Returns how many.
   * Call on this verticle's event loop.
   */
  public int endCallsOf(String userId, boolean accountActive, long accountSessionVersion) {
    ServiceException reason = accountActive
      ? Errors.error(401, "session_ended",
        "This session has ended (signed out, password changed or account status changed); the answer was ended.", null)
      : Errors.error(403, "account_suspended",
        "This account is suspended; the answer was ended. Contact the operator of this service.", null);
    int ended = proxy.endCalls(c -> c.userId().equals(userId) && c.endedBy(accountActive, accountSessionVersion), reason);
    if (ended > 0) {
      CALLS.info("ended {} call(s) of user {}: {}", ended, userId, reason.getDebugInfo().getString("code"));
    }
    return ended;
  }

  /** Waits (bounded) for usage still being recorded, so a node that stops bills what it served. */
  public Future<Void> close() {
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
    Future<Void> settled = settling.isEmpty() ? Future.succeededFuture()
      : Future.join(List.copyOf(settling)).<Void>mapEmpty()
        .timeout(SETTLE_WAIT_MS, TimeUnit.MILLISECONDS)
        .recover(t -> Future.succeededFuture());
    return settled.eventually(proxy::close).eventually(admissions::close).eventually(serviceKeys::close);
  }

  public ChatProxy proxy() {
    return proxy;
  }
}
