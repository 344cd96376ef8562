package dev.chrysalis.forge.billing;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Billing on the event bus ({@value #ADDRESS}). {@code orgId} may be null (personal context); when
 * set, the caller's membership is checked before the org's plan or quota is used. Failures are
 * {@code ServiceException}s whose code is the HTTP status (see docs/event-bus.md).
 */
@ProxyGen
@VertxGen
public interface BillingService {

  String ADDRESS = "forge.billing";

  /**
   * Published (cluster-wide) with {@code "user:<id>"} or {@code "org:<id>"} after an operator
   * assigns a plan: every cache of that subject's plan (billing's own, the rate limiter's tiers,
   * the HTTP verticles' admissions) drops it.
   */
  String PLAN_CHANGED_ADDRESS = "forge.billing.plan-changed";

  /** This node's BillingService when it runs one, else any node's (see {@code cluster/LocalServices}). */
  static BillingService createProxy(Vertx vertx) {
    return createProxyWaiting(vertx, 15_000);
  }

  static BillingService createProxyWaiting(Vertx vertx, long sendTimeoutMs) {
    return new BillingServiceClient(vertx, sendTimeoutMs);
  }

  /** → {plan_id, name, features:[…], daily_limit (null = unlimited), rate_per_minute?, source, org_id}. */
  Future<JsonObject> getPlan(String userId, String orgId);

  /** → {} when the plan has the feature, else 402 {@code feature_not_available}. */
  Future<JsonObject> requireFeature(String userId, String orgId, String feature);

  /** → {model, tier}; an advanced model without advanced_models → 402 {@code feature_not_available}. */
  Future<JsonObject> checkModel(String userId, String orgId, String model);

  /**
   * Takes one message of today's quota, atomically: {user_id, org_id?, request_id} →
   * {reservation_id, remaining, daily_limit, plan_id, resets_at}; none left → 402
   * {@code quota_exceeded}. Unlimited plans reserve nothing: reservation_id, remaining and
   * daily_limit are null and the message is counted when its usage is recorded.
   */
  Future<JsonObject> reserveMessage(JsonObject request);

  /**
   * What a chat call asks before going upstream, in one hop: {@link #checkModel} for {model}, then,
   * only if the plan allows the model, {@link #reserveMessage} → the reservation plus {model, tier}.
   * A refused model takes no message. {@code cacheable:true} when the admission took nothing and
   * asked nothing remote (an unlimited plan in local ledger mode): the same request is admitted the
   * same way until {@link #PLAN_CHANGED_ADDRESS} names the subject.
   */
  Future<JsonObject> admitMessage(JsonObject request);

  /** Gives a reserved message back (upstream failure) → {reservation_id, status, released}; 404 unknown. */
  Future<JsonObject> releaseMessage(String reservationId);

  /**
   * Appends a usage event {id (request id), user_id, org_id?, session_id?, model, provider,
   * input_tokens, output_tokens, is_byok?, estimated? (counts are the gateway's estimate, default
   * false), provider_key_id?, reservation_id?}, idempotent by (user_id, id) → {id, recorded (false =
   * already recorded), cost_usd}.
   */
  Future<JsonObject> recordUsage(JsonObject event);

  /** → {data:[plan…], default_plan}. */
  Future<JsonObject> listPlans();

  /** The plan plus today's use → {…plan, used_today, remaining_today, resets_at}. */
  Future<JsonObject> planStatus(String userId, String orgId, boolean refresh);

  /** {period: day|month|last30|current, org_id?} → {period, from, to, messages, tokens, cost_usd, by_model:[…], by_day:[…]}. */
  Future<JsonObject> usage(String userId, JsonObject query);

  /** {plan_id, success_url?, cancel_url?, org_id?, email?} → {url, plan_id}; 501 without Autumn. */
  Future<JsonObject> checkout(String userId, JsonObject request);

  /** {return_url?, org_id?} → {url}; 501 without Autumn. */
  Future<JsonObject> portal(String userId, JsonObject request);

  /**
   * Operator plan assignment (local mode): {actor_id, subject_type: user|org,
   * subject_id, plan_id, context?} → {subject_type, subject_id, plan}; 403 unless the actor is an
   * admin, 409 in Autumn mode.
   */
  Future<JsonObject> assignPlan(JsonObject request);

  /** Operators only: {mode, outbox:{pending, failed, delivered}, metrics:{…}}. */
  Future<JsonObject> status(String actorId);

  /**
   * Operators only: outbox rows parked as failed, in id order, {limit? (1..200, default 50),
   * after? (an id)} → {data:[{id, kind, customer_id, attempts, last_error, created_at, failed_at}],
   * has_more, next_after}.
   */
  Future<JsonObject> parkedOutbox(String actorId, JsonObject query);

  /**
   * Operators only: re-queues parked rows, {actor_id, ids? (these rows), limit? (else
   * the longest-parked, default 1000), context?} → {replayed, parked (still parked)}.
   */
  Future<JsonObject> replayOutbox(JsonObject request);
}
