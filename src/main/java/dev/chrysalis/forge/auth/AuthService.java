package dev.chrysalis.forge.auth;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Accounts on the event bus ({@value #ADDRESS}). Every message is JSON; failures are
 * {@code ServiceException}s whose code is the HTTP status (see docs/event-bus.md).
 */
@ProxyGen
@VertxGen
public interface AuthService {

  String ADDRESS = "forge.auth";
  /** Published after a user registers: {user_id, email}. Billing listens. */
  String USER_REGISTERED_ADDRESS = "forge.events.user.registered";

  /** This node's AuthService when it runs one, else any node's (see {@code cluster/LocalServices}). */
  static AuthService createProxy(Vertx vertx) {
    return new AuthServiceClient(vertx, 15_000);
  }

  /** {email, password, display_name?, ip?, user_agent?} → {id, email, display_name, token}. */
  Future<JsonObject> register(JsonObject request);

  /** {email, password, ip?, user_agent?} → {id, email, display_name, token}. */
  Future<JsonObject> login(JsonObject request);

  /** A full {@code chs_…} key → principal {user_id, email, via:"api_key", key_id, scopes}. */
  Future<JsonObject> authenticateApiKey(String apiKey);

  /** {token} → {id, email, email_verified:true}; 400 invalid_token when unknown, used or expired. */
  Future<JsonObject> verifyEmail(JsonObject request);

  /** Mails a new verification link → {sent:true}; 409 when already verified, 429 when asked too often. */
  Future<JsonObject> resendVerification(String userId);

  /** {email, ip?, user_agent?} → {sent:true} whether or not the address has an account. */
  Future<JsonObject> forgotPassword(JsonObject request);

  /** {token, password, ip?, user_agent?} → {reset:true}; the token is single-use and expiring. */
  Future<JsonObject> resetPassword(JsonObject request);

  /**
   * The one operator check: → {id, email} of an operator, else 403 admin_only. An operator's
   * email is verified and listed in CHRYSALIS_ADMIN_EMAILS (trimmed, lower-cased).
   */
  Future<JsonObject> requireOperator(String userId);

  /**
   * {current_password, new_password, caller_via, ip?, user_agent?} → a new session {id, email,
   * display_name, token}: every other session of the user ends, on every node within a second.
   * Only a signed-in session may do it (403 session_required for an API key); a wrong current
   * password is 400 wrong_password and counts as a failed login of the caller's network.
   */
  Future<JsonObject> changePassword(String userId, JsonObject request);

  /**
   * Ends every session token of the user, on every node within a second → {logged_out:true}. API
   * keys keep working (delete them to revoke them).
   */
  Future<JsonObject> logout(String userId, JsonObject context);

  /**
   * Operators only: {status:"suspended"|"active", context?} → {id, email, status}. Either way every
   * session of the user ends; while suspended, the user's session tokens and API keys are refused
   * on every node within a second and sign-in answers 403. Audited.
   */
  Future<JsonObject> setUserStatus(String actorId, String userId, JsonObject request);

  /** → {user_id, session_version, status}; 404 when unknown. What {@link SessionStates} caches. */
  Future<JsonObject> sessionState(String userId);

  /** → {id, email, email_verified, display_name, avatar_url, created_at}; 404 when unknown. */
  Future<JsonObject> getUser(String userId);

  /** {email} → {id, email, display_name}; 404 when no such user. For invites and admin lookups. */
  Future<JsonObject> findUserByEmail(String email);

  /** {limit?, after?} → {data:[{id, name, prefix, scopes, created_at, last_used, expires_at}], has_more, next_cursor}, newest first. */
  Future<JsonObject> listApiKeys(String userId, JsonObject query);

  /** {name?, scopes?, expires_at?, ip?, user_agent?} → the key record plus {key} (shown once). */
  Future<JsonObject> createApiKey(String userId, JsonObject request);

  /** → {deleted:true}; 404 for a key that is not the caller's. Effective at once, cluster-wide. */
  Future<JsonObject> deleteApiKey(String userId, String keyId, JsonObject context);
}
