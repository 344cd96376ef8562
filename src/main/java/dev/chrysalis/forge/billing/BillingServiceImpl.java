package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.catalog.CatalogModel;
import dev.chrysalis.forge.catalog.ResolvedModel;
import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The billing rules; runs on the BillingVerticle's event loop. */
final class BillingServiceImpl implements BillingService {

  static final String QUOTA_MESSAGE = "Usage limit reached. Please upgrade your plan.";
  /** Published (cluster-wide) with "type:id" after an operator assigns a plan: every node drops its cached answer. */
  static final String PLAN_CHANGED_ADDRESS = BillingService.PLAN_CHANGED_ADDRESS;
  private static final long LOCAL_PLAN_CACHE_MS = 30_000;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Set<String> ORG_BILLING_ROLES = Set.of("owner", "admin");
  private static final long MAX_TOKENS = 1_000_000_000L;

  /** A plan and where the answer came from: local, default, autumn, fallback. */
  private record Resolved(Plan plan, String source) {
  }

  private final Vertx vertx;
  private final BillingConfig config;
  private final BillingStore store;
  private final UsageStore usage;
  private final OutboxStore outbox;
  private final OrgMembership membership;
  private final AuthService auth;
  private final AutumnClient autumn;
  private final AutumnAccounts accounts;
  private final BillingMetrics metrics;
  private final UsageBatcher batcher;
  private final ExpiringCache<String> localPlans = new ExpiringCache<>(LOCAL_PLAN_CACHE_MS, 50_000);
  private Runnable outboxNudge = () -> { };

  BillingServiceImpl(Vertx vertx, BillingConfig config, BillingStore store, UsageStore usage, OutboxStore outbox,
                     OrgMembership membership, AuthService auth, AutumnClient autumn, BillingMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.usage = usage;
    this.outbox = outbox;
    this.membership = membership;
    this.auth = auth;
    this.autumn = autumn;
    this.metrics = metrics;
    this.batcher = new UsageBatcher(vertx, usage);
    this.accounts = autumn == null ? null : new AutumnAccounts(autumn, config, metrics);
  }

  void onOutboxWrite(Runnable nudge) {
    this.outboxNudge = nudge;
  }

  private boolean autumnMode() {
    return autumn != null;
  }

  // ---- plans and features ----

  @Override
  public Future<JsonObject> getPlan(String userId, String orgId) {
    return subject(userId, orgId, null)
      .compose(s -> plan(s, false).map(r -> describe(r, s)))
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> requireFeature(String userId, String orgId, String feature) {
    if (feature == null || feature.isBlank() || feature.length() > 64) {
      return Errors.badRequest("invalid_request", "feature is required.", "feature");
    }
    return subject(userId, orgId, null)
      .compose(s -> plan(s, false))
      .compose(r -> r.plan().has(feature)
        ? Future.succeededFuture(new JsonObject())
        : Future.<JsonObject>failedFuture(featureMissing(r.plan(), feature)))
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> checkModel(String userId, String orgId, String model) {
    if (model == null || model.isBlank() || model.length() > 200) {
      return Errors.badRequest("invalid_request", "model is required.", "model");
    }
    ResolvedModel resolved = config.catalog().resolve(model);
    if (resolved == null) {
      return Future.failedFuture(unknownModel(model));
    }
    String tier = resolved.tier();
    JsonObject ok = new JsonObject().put("model", resolved.id()).put("tier", tier);
    if (!resolved.advanced()) {
      return Future.succeededFuture(ok);
    }
    return requireFeature(userId, orgId, "advanced_models").map(v -> ok);
  }

  /** A name the catalog cannot place is served nowhere: no tier or price would be safe to guess. */
  private static ServiceException unknownModel(String model) {
    String shown = model.length() > 100 ? model.substring(0, 100) + "…" : model;
    return Errors.error(404, "model_not_found", "The model '" + shown + "' does not exist or is not served here.",
      "model");
  }

  private static ServiceException featureMissing(Plan plan, String feature) {
    ServiceException e = Errors.error(402, "feature_not_available",
      "Your plan (" + plan.name() + ") does not include '" + feature + "'. Please upgrade your plan.", null);
    e.getDebugInfo().put("extra", new JsonObject().put("feature", feature).put("plan_id", plan.id()));
    return e;
  }

  @Override
  public Future<JsonObject> listPlans() {
    JsonArray data = new JsonArray();
    config.plans().values().forEach(p -> data.add(p.toJson()));
    return Future.succeededFuture(new JsonObject().put("data", data).put("default_plan", config.defaultPlan()));
  }

  @Override
  public Future<JsonObject> planStatus(String userId, String orgId, boolean refresh) {
    return subject(userId, orgId, null).compose(s -> {
      if (refresh && accounts != null) {
        accounts.forget(s);
      }
      LocalDate today = today();
      return plan(s, refresh).compose(r -> usedToday(s, r.plan(), today).map(used -> {
        Integer limit = r.plan().dailyLimit();
        return describe(r, s).put("used_today", used)
          .put("remaining_today", limit == null ? null : Math.max(0, limit - used))
          .put("resets_at", resetsAt(today));
      }));
    }).recover(Errors::internal);
  }

  /** Limited plans count in their reservation counter; unlimited ones reserve nothing, so count the ledger. */
  private Future<Integer> usedToday(Subject s, Plan plan, LocalDate today) {
    return plan.unlimited() ? usage.messagesOn(s, today) : store.used(s, today);
  }

  Future<Void> drainUsage() {
    return batcher.drain();
  }

  int queuedUsage() {
    return batcher.queued();
  }

  private JsonObject describe(Resolved r, Subject s) {
    return r.plan().toJson().put("source", r.source()).put("org_id", s.isOrg() ? s.id() : null);
  }

  /** The subject's plan: Autumn's active subscription in Autumn mode, else the operator's assignment. */
  private Future<Resolved> plan(Subject s, boolean refresh) {
    if (accounts == null) {
      return local(s);
    }
    return accounts.plan(s, refresh).compose(answer -> {
      if ("autumn".equals(answer.source())) {
        Plan p = config.plan(answer.planId());
        return Future.succeededFuture(new Resolved(p == null ? config.defaultPlanRecord() : p, "autumn"));
      }
      Plan stale = config.plan(answer.planId());
      return stale != null
        ? Future.succeededFuture(new Resolved(stale, "fallback"))
        : local(s).map(r -> new Resolved(r.plan(), "fallback"));
    });
  }

  /** The operator's assignment, cached per node (assignments publish an invalidation). */
  private Future<Resolved> local(Subject s) {
    String key = s.type() + ":" + s.id();
    String cached = localPlans.fresh(key);
    if (cached != null) {
      return Future.succeededFuture(localPlan(cached));
    }
    return store.assignedPlan(s).map(id -> {
      localPlans.put(key, id == null ? "" : id);
      return localPlan(id);
    });
  }

  private Resolved localPlan(String id) {
    Plan p = config.plan(id);
    return p == null ? new Resolved(config.defaultPlanRecord(), "default") : new Resolved(p, "local");
  }

  void forgetLocalPlan(String key) {
    localPlans.remove(key);
  }

  // ---- quota ----

  @Override
  public Future<JsonObject> reserveMessage(JsonObject request) {
    JsonObject req = request == null ? new JsonObject() : request;
    String requestId = req.getString("request_id");
    if (!validRequestId(requestId)) {
      return badRequestId();
    }
    String userId = req.getString("user_id");
    return subject(userId, req.getString("org_id"), null)
      .compose(s -> reserve(s, userId, requestId, req.getString("client_request_id"), null))
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> admitMessage(JsonObject request) {
    JsonObject req = request == null ? new JsonObject() : request;
    String model = req.getString("model");
    if (model == null || model.isBlank() || model.length() > 200) {
      return Errors.badRequest("invalid_request", "model is required.", "model");
    }
    String requestId = req.getString("request_id");
    if (!validRequestId(requestId)) {
      return badRequestId();
    }
    String clientRequestId = req.getString("client_request_id");
    if (clientRequestId != null && clientRequestId.length() > 128) {
      return Errors.badRequest("invalid_request", "client_request_id is at most 128 characters.", "client_request_id");
    }
    String userId = req.getString("user_id");
    ResolvedModel resolved = config.catalog().resolve(model);
    if (resolved == null) {
      return Future.failedFuture(unknownModel(model));
    }
    String tier = resolved.tier();
    // the subject and its plan are resolved once for the gate and the quota
    return subject(userId, req.getString("org_id"), null)
      .compose(s -> reserve(s, userId, requestId, clientRequestId, tier))
      .map(r -> r.put("model", resolved.id()).put("tier", tier))
      .recover(Errors::internal);
  }

  /**
   * Takes one message for the subject; with a model {@code tier}, first refuses an advanced model
   * the plan does not include (then no message is taken).
   */
  private Future<JsonObject> reserve(Subject s, String userId, String requestId, String clientRequestId, String tier) {
    Future<Boolean> remote = accounts == null ? Future.succeededFuture(null) : accounts.allowsMessage(s);
    return Future.all(plan(s, false), remote).compose(all -> {
      Resolved r = all.resultAt(0);
      Boolean allowed = all.resultAt(1);
      LocalDate today = today();
      if (CatalogModel.ADVANCED.equals(tier) && !r.plan().has("advanced_models")) {
        return Future.failedFuture(featureMissing(r.plan(), "advanced_models"));
      }
      if (Boolean.FALSE.equals(allowed)) {
        return Future.failedFuture(quotaExceeded(r.plan(), today));
      }
      if (r.plan().unlimited()) {
        // nothing to enforce, so nothing to lock: the ledger counts the message when its usage is recorded
        // without Autumn nothing else is asked, so callers may admit the same request alike until the plan changes
        return Future.succeededFuture(new JsonObject().putNull("reservation_id").putNull("remaining")
          .putNull("daily_limit").put("plan_id", r.plan().id()).put("resets_at", resetsAt(today))
          .put("cacheable", accounts == null));
      }
      int limit = r.plan().dailyLimit();
      return store.reserve(s, today, limit, Ids.next("rsv"), requestId, clientRequestId, userId).compose(res -> res == null
        ? Future.<JsonObject>failedFuture(quotaExceeded(r.plan(), today))
        : Future.succeededFuture(new JsonObject()
          .put("reservation_id", res.reservationId())
          .put("remaining", Math.max(0, limit - res.used()))
          .put("daily_limit", r.plan().dailyLimit())
          .put("plan_id", r.plan().id())
          .put("resets_at", resetsAt(today))));
    });
  }

  private static boolean validRequestId(String requestId) {
    return requestId != null && ID.matcher(requestId).matches();
  }

  private static <T> Future<T> badRequestId() {
    return Errors.badRequest("invalid_request", "request_id is required (1-128 characters of A-Z a-z 0-9 . _ : -).",
      "request_id");
  }

  private static ServiceException quotaExceeded(Plan plan, LocalDate today) {
    ServiceException e = Errors.error(402, "quota_exceeded", QUOTA_MESSAGE, null);
    e.getDebugInfo().put("extra", new JsonObject().put("plan_id", plan.id()).put("daily_limit", plan.dailyLimit())
      .put("resets_at", resetsAt(today)));
    return e;
  }

  @Override
  public Future<JsonObject> releaseMessage(String reservationId) {
    if (reservationId == null || !ID.matcher(reservationId).matches()) {
      return Errors.badRequest("invalid_request", "reservation_id is required.", "reservation_id");
    }
    return store.release(reservationId)
      .compose(res -> res == null ? Errors.<JsonObject>notFound("No such reservation.") : Future.succeededFuture(res))
      .recover(Errors::internal);
  }

  // ---- usage ledger ----

  @Override
  public Future<JsonObject> recordUsage(JsonObject event) {
    UsageEvent e;
    try {
      e = parseEvent(event == null ? new JsonObject() : event);
    } catch (ServiceException bad) {
      return Future.failedFuture(bad);
    }
    // Autumn meters chat messages; an embedding call is billed by its tokens in the ledger only
    boolean message = !"embedding".equals(event == null ? null : event.getValue("kind"));
    OutboxStore.Row track = autumnMode() && message ? trackRow(e) : null;
    return batcher.record(new UsageStore.Entry(e, track)).map(recorded -> {
      if (recorded && track != null) {
        outboxNudge.run();
      }
      return new JsonObject().put("id", e.id()).put("recorded", recorded).put("cost_usd", e.costUsd().doubleValue());
    }).recover(Errors::internal);
  }

  private OutboxStore.Row trackRow(UsageEvent e) {
    JsonObject payload = new JsonObject()
      .put("customer_id", e.orgId() != null ? e.orgId() : e.userId())
      .put("feature_id", config.autumn().messageFeatureId())
      .put("value", 1)
      .put("properties", e.trackProperties());
    return new OutboxStore.Row("trk:" + e.userId() + ":" + e.id(), "track", payload, 0);
  }

  private UsageEvent parseEvent(JsonObject ev) {
    String id = requireId(ev, "id");
    String userId = requireId(ev, "user_id");
    String orgId = optionalId(ev, "org_id");
    String sessionId = optionalString(ev, "session_id", 128);
    String model = requireString(ev, "model", 300);
    String requestedModel = optionalString(ev, "requested_model", 300);
    String clientRequestId = optionalString(ev, "client_request_id", 128);
    String provider = requireString(ev, "provider", 64);
    long in = tokens(ev, "input_tokens");
    long out = tokens(ev, "output_tokens");
    Object byok = ev.getValue("is_byok");
    if (byok != null && !(byok instanceof Boolean)) {
      throw Errors.error(400, "invalid_request", "is_byok must be a boolean.", "is_byok");
    }
    Object estimated = ev.getValue("estimated");
    if (estimated != null && !(estimated instanceof Boolean)) {
      throw Errors.error(400, "invalid_request", "estimated must be a boolean.", "estimated");
    }
    String providerKeyId = optionalId(ev, "provider_key_id");
    String reservationId = optionalId(ev, "reservation_id");
    // the catalog prices the canonical model; a name it cannot place costs what its most expensive family would
    ResolvedModel resolved = config.catalog().resolve(model);
    BigDecimal cost = resolved != null ? resolved.cost(in, out) : config.catalog().mostExpensive().cost(in, out);
    return new UsageEvent(id, userId, orgId, sessionId, resolved != null ? resolved.id() : model,
      requestedModel != null ? requestedModel : model, clientRequestId, provider, in, out, cost,
      Boolean.TRUE.equals(byok), Boolean.TRUE.equals(estimated), providerKeyId, reservationId, today());
  }

  private static String requireId(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (!(v instanceof String s) || !ID.matcher(s).matches()) {
      throw Errors.error(400, "invalid_request", field + " is required (1-128 characters of A-Z a-z 0-9 . _ : -).", field);
    }
    return s;
  }

  private static String optionalId(JsonObject o, String field) {
    return o.getValue(field) == null ? null : requireId(o, field);
  }

  private static String requireString(JsonObject o, String field, int max) {
    Object v = o.getValue(field);
    if (!(v instanceof String s) || s.isBlank() || s.length() > max) {
      throw Errors.error(400, "invalid_request", field + " is required (at most " + max + " characters).", field);
    }
    return s;
  }

  private static String optionalString(JsonObject o, String field, int max) {
    return o.getValue(field) == null ? null : requireString(o, field, max);
  }

  private static long tokens(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return 0;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0
      || ((Number) v).longValue() > MAX_TOKENS) {
      throw Errors.error(400, "invalid_request", field + " must be an integer between 0 and " + MAX_TOKENS + ".", field);
    }
    return ((Number) v).longValue();
  }

  @Override
  public Future<JsonObject> usage(String userId, JsonObject query) {
    JsonObject q = query == null ? new JsonObject() : query;
    String period = q.getString("period", "current");
    LocalDate today = today();
    LocalDate from = switch (period) {
      case "day", "current" -> today;
      case "month" -> today.withDayOfMonth(1);
      case "last30" -> today.minusDays(29);
      default -> null;
    };
    if (from == null) {
      return Errors.badRequest("invalid_request", "period must be day, month, last30 or current.", "period");
    }
    return subject(userId, q.getString("org_id"), null).compose(s -> {
      Future<JsonObject> totals = usage.summary(userId, s.isOrg() ? s.id() : null, from, today);
      Future<JsonObject> quota = "current".equals(period)
        ? planStatus(userId, s.isOrg() ? s.id() : null, false)
        : Future.succeededFuture(null);
      return Future.all(totals, quota).map(all -> {
        JsonObject out = new JsonObject().put("period", period).put("from", from.toString()).put("to", today.toString())
          .put("org_id", s.isOrg() ? s.id() : null).mergeIn(all.resultAt(0));
        JsonObject status = all.resultAt(1);
        if (status != null) {
          out.put("plan_id", status.getString("plan_id")).put("daily_limit", status.getInteger("daily_limit"))
            .put("remaining", status.getInteger("remaining_today")).put("resets_at", status.getString("resets_at"));
        }
        return out;
      });
    }).recover(Errors::internal);
  }

  // ---- Autumn: checkout and portal ----

  @Override
  public Future<JsonObject> checkout(String userId, JsonObject request) {
    if (!autumnMode()) {
      return notConfigured();
    }
    JsonObject req = request == null ? new JsonObject() : request;
    String planId = req.getString("plan_id");
    if (config.plan(planId) == null) {
      return Errors.badRequest("unknown_plan", "No such plan: choose one of " + config.plans().keySet() + ".", "plan_id");
    }
    return subject(userId, req.getString("org_id"), ORG_BILLING_ROLES).compose(s -> {
      JsonObject attach = new JsonObject().put("customer_id", s.id()).put("plan_id", planId);
      if (req.getString("success_url") != null) {
        attach.put("success_url", req.getString("success_url"));
      }
      if (req.getString("cancel_url") != null) {
        attach.put("checkout_session_params", new JsonObject().put("cancel_url", req.getString("cancel_url")));
      }
      String email = s.isOrg() ? null : req.getString("email");
      return autumn.getOrCreateCustomer(s.id(), email, null)
        .compose(c -> autumn.attach(attach))
        .map(res -> {
          accounts.forget(s);
          return new JsonObject().put("url", res.getString("payment_url")).put("plan_id", planId);
        })
        .recover(this::upstream);
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> portal(String userId, JsonObject request) {
    if (!autumnMode()) {
      return notConfigured();
    }
    JsonObject req = request == null ? new JsonObject() : request;
    return subject(userId, req.getString("org_id"), ORG_BILLING_ROLES).compose(s ->
      autumn.openPortal(s.id(), req.getString("return_url"))
        .map(res -> new JsonObject().put("url", res.getString("url")))
        .recover(this::upstream)
    ).recover(Errors::internal);
  }

  private static <T> Future<T> notConfigured() {
    return Errors.fail(501, "billing_not_configured",
      "Online billing is not configured on this server (no AUTUMN_SECRET_KEY); plans are assigned by an operator.");
  }

  private <T> Future<T> upstream(Throwable t) {
    if (t instanceof AutumnException ae) {
      String reason = ae.unavailable() ? "did not answer" : "refused the request (" + ae.code() + ")";
      return Errors.fail(502, "billing_upstream_error", "The billing provider " + reason + ". Try again later.");
    }
    return Future.failedFuture(t);
  }

  // ---- operators ----

  @Override
  public Future<JsonObject> assignPlan(JsonObject request) {
    JsonObject req = request == null ? new JsonObject() : request;
    return auth.requireOperator(req.getString("actor_id")).compose(op -> assignPlanAsOperator(req));
  }

  private Future<JsonObject> assignPlanAsOperator(JsonObject req) {
    if (autumnMode()) {
      return Errors.conflict("plans_managed_by_autumn",
        "Plans come from Autumn subscriptions on this server; change them in Autumn.");
    }
    String planId = req.getString("plan_id");
    Plan plan = config.plan(planId);
    if (plan == null) {
      return Errors.badRequest("unknown_plan", "No such plan: choose one of " + config.plans().keySet() + ".", "plan_id");
    }
    String type = req.getString("subject_type");
    String id = req.getString("subject_id");
    if (!("user".equals(type) || "org".equals(type)) || id == null || !ID.matcher(id).matches()) {
      return Errors.badRequest("invalid_request", "subject_type must be user or org, with a valid id.", "subject_id");
    }
    Subject s = new Subject(type, id);
    // nothing is stored for an id that names no one: an unknown user or org is a 404
    Future<Void> exists = s.isOrg()
      ? membership.orgExists(id).compose(found -> found
        ? Future.<Void>succeededFuture()
        : Errors.<Void>fail(404, "org_not_found", "Organization not found."))
      : auth.getUser(id).mapEmpty();
    return exists
      .compose(v -> store.assignPlan(s, planId, req.getString("actor_id")))
      .map(v -> {
        forgetLocalPlan(s.type() + ":" + s.id());
        vertx.eventBus().publish(PLAN_CHANGED_ADDRESS, s.type() + ":" + s.id());
        JsonObject context = req.getJsonObject("context", new JsonObject()).copy();
        if (s.isOrg()) {
          context.put("org_id", s.id());
        }
        AuditEvent.publish(vertx, "billing.plan_assigned", req.getString("actor_id"), s.type() + ":" + s.id(), context,
          new JsonObject().put("plan_id", planId));
        return new JsonObject().put("subject_type", type).put("subject_id", id).put("plan", plan.toJson());
      })
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> status(String actorId) {
    return auth.requireOperator(actorId).compose(op -> outbox.counts()).map(counts -> new JsonObject()
        .put("mode", autumnMode() ? "autumn" : "local")
        .put("outbox", counts)
        .put("metrics", metrics.toJson()))
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> parkedOutbox(String actorId, JsonObject query) {
    return auth.requireOperator(actorId).compose(op -> parkedOutboxAsOperator(query));
  }

  private Future<JsonObject> parkedOutboxAsOperator(JsonObject query) {
    JsonObject q = query == null ? new JsonObject() : query;
    Object limitValue = q.getValue("limit", 50);
    Object afterValue = q.getValue("after");
    int limit = limitValue instanceof Integer i ? i : -1;
    if (limit < 1 || limit > 200) {
      return Errors.badRequest("invalid_request", "limit must be between 1 and 200.", "limit");
    }
    String after = null;
    if (afterValue != null) {
      after = afterValue instanceof String cursor ? decodeCursor(cursor) : null;
      if (after == null) {
        return Errors.badRequest("invalid_cursor", "after must be the next_cursor of a previous page.", "after");
      }
    }
    return outbox.parked(limit + 1, after).map(rows -> {
      boolean more = rows.size() > limit;
      List<JsonObject> page = more ? rows.subList(0, limit) : rows;
      String next = more ? Base64.getUrlEncoder().withoutPadding()
        .encodeToString(page.get(page.size() - 1).getString("id").getBytes(StandardCharsets.UTF_8)) : null;
      return new JsonObject().put("data", new JsonArray(new ArrayList<>(page))).put("has_more", more)
        .put("next_cursor", next);
    }).recover(Errors::internal);
  }

  /** The outbox id a parked-rows cursor names, or null when it is not one of ours. */
  private static String decodeCursor(String cursor) {
    try {
      String id = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      return id.matches("[a-z]{3}:[A-Za-z0-9_:.-]{1,300}") ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public Future<JsonObject> replayOutbox(JsonObject request) {
    JsonObject req = request == null ? new JsonObject() : request;
    return auth.requireOperator(req.getString("actor_id")).compose(op -> replayOutboxAsOperator(req));
  }

  private Future<JsonObject> replayOutboxAsOperator(JsonObject req) {
    JsonArray idArray = req.getJsonArray("ids");
    List<String> ids = null;
    if (idArray != null) {
      ids = new ArrayList<>();
      for (Object o : idArray) {
        if (!(o instanceof String id) || id.isEmpty() || id.length() > 200) {
          return Errors.badRequest("invalid_request", "ids must be outbox row ids.", "ids");
        }
        ids.add(id);
      }
    }
    Object limitValue = req.getValue("limit", 1000);
    int limit = limitValue instanceof Integer i ? i : -1;
    if (limit < 1 || limit > OutboxStore.REPLAY_MAX) {
      return Errors.badRequest("invalid_request", "limit must be between 1 and " + OutboxStore.REPLAY_MAX + ".", "limit");
    }
    List<String> chosen = ids;
    return outbox.replay(chosen, limit)
      .compose(n -> outbox.counts().map(c -> {
        metrics.outboxParked.set(c.getLong("failed", 0L));
        metrics.outboxPending.set(c.getLong("pending", 0L));
        if (n > 0) {
          outboxNudge.run();
          AuditEvent.publish(vertx, "billing.outbox_replayed", req.getString("actor_id"), "billing_outbox",
            req.getJsonObject("context", new JsonObject()).copy(), new JsonObject().put("replayed", n));
        }
        return new JsonObject().put("replayed", n).put("parked", c.getLong("failed", 0L));
      }))
      .recover(Errors::internal);
  }

  // ---- Autumn customers ----

  /** On registration (Autumn mode): queue customers.get_or_create so it survives Autumn being down. */
  Future<Void> customerRegistered(String userId, String email) {
    if (!autumnMode() || userId == null) {
      return Future.succeededFuture();
    }
    JsonObject payload = new JsonObject().put("customer_id", userId).put("email", email);
    return outbox.insert(new OutboxStore.Row("cus:" + userId, "customer", payload, 0))
      .onSuccess(v -> outboxNudge.run());
  }

  // ---- helpers ----

  /**
   * The subject whose plan and quota apply: the user, or the org after checking that the user
   * is a member (with one of {@code roles} when given).
   */
  private Future<Subject> subject(String userId, String orgId, Set<String> roles) {
    if (userId == null || !ID.matcher(userId).matches()) {
      return Errors.badRequest("invalid_request", "user_id is required.", "user_id");
    }
    if (orgId == null) {
      return Future.succeededFuture(Subject.user(userId));
    }
    if (!ID.matcher(orgId).matches()) {
      return Errors.badRequest("invalid_request", "org_id is not a valid organization id.", "org_id");
    }
    return membership.roleOf(orgId, userId).compose(role -> {
      if (role == null) {
        return Future.failedFuture(Errors.orgNotFound());
      }
      if (roles != null && !roles.contains(role)) {
        return Errors.forbidden("org_admin_required", "Only an owner or admin of the organization may manage its billing.");
      }
      return Future.succeededFuture(Subject.org(orgId));
    });
  }

  static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }

  private static String resetsAt(LocalDate today) {
    return today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
  }
}
