package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.mail.MailVerticle;
import dev.chrysalis.forge.limits.ObjectCaps;
import dev.chrysalis.forge.limits.PlanLimits;
import dev.chrysalis.forge.store.PageCursor;
import dev.chrysalis.forge.store.Ids;
import dev.chrysalis.forge.text.EmailAddress;
import dev.chrysalis.forge.text.VisibleText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The account rules; runs on the AuthVerticle's event loop, hashing on worker threads. */
final class AuthServiceImpl implements AuthService {

  /** Published (cluster-wide) when an API key is deleted, so every node drops it from its cache. */
  static final String KEY_REVOKED_ADDRESS = "forge.auth.key-revoked";
  /** Published (cluster-wide) with a new key's hash, so no node keeps it as unknown. */
  static final String KEY_CREATED_ADDRESS = "forge.auth.key-created";
  /** Published after a password reset: {user_id}. Every session of the user must end. */
  public static final String PASSWORD_CHANGED_ADDRESS = "forge.events.user.password_changed";
  private static final Logger LOG = LoggerFactory.getLogger(AuthServiceImpl.class);

  static final Set<String> SCOPES = Set.of("*", "chat", "read", "write", "keys");
  private static final long LAST_USED_EVERY_MS = 60_000;
  private static final long CACHE_MAX_AGE_MS = 300_000;

  private final Vertx vertx;
  private final AuthConfig config;
  private final UserStore users;
  private final ApiKeyStore keys;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final JwtTokens tokens;
  private final ApiKeys apiKeys;
  private final ApiKeyCache cache;
  private final UnknownKeyCache unknownKeys;
  private final EmailTokenStore emailTokens;
  private final Operators operators;

  private final ObjectCaps caps;
  private final LoginThrottleStore throttle;

  AuthServiceImpl(Vertx vertx, AuthConfig config, UserStore users, ApiKeyStore keys, EmailTokenStore emailTokens,
                  LoginThrottleStore throttle, JwtTokens tokens, ObjectCaps caps) {
    this.vertx = vertx;
    this.throttle = throttle;
    this.caps = caps;
    this.emailTokens = emailTokens;
    this.operators = new Operators(config.adminEmails());
    this.config = config;
    this.users = users;
    this.keys = keys;
    this.tokens = tokens;
    this.hasher = new PasswordHasher(config.pbkdf2Iterations());
    this.policy = new PasswordPolicy(config.minPasswordLength());
    this.apiKeys = new ApiKeys(config.secretKey());
    this.cache = new ApiKeyCache(config.apiKeyCacheSize(), CACHE_MAX_AGE_MS);
    this.unknownKeys = new UnknownKeyCache(config.unknownKeyCacheSize(), config.unknownKeyCacheSeconds() * 1_000L);
  }

  void forgetKey(String keyId) {
    cache.removeKey(keyId);
  }

  /** Every session of the user ended (here or on another node): cached keys are read afresh. */
  void sessionsEnded(String userId) {
    cache.removeUser(userId);
  }

  Future<Integer> sweepLoginThrottle() {
    return throttle.sweep();
  }

  /** A key with this hash was created (here or on another node). */
  void keyCreated(String hash) {
    unknownKeys.forget(hash);
  }

  @Override
  public Future<JsonObject> register(JsonObject request) {
    if (!config.registrationEnabled()) {
      return Errors.forbidden("registration_disabled", "Registration is disabled on this server.");
    }
    String email = EmailAddress.normalize(request.getString("email"));
    if (email == null) {
      return invalidEmail();
    }
    String password = request.getString("password");
    String problem = policy.problem(password);
    if (problem != null) {
      return Errors.badRequest("weak_password", problem, "password");
    }
    String displayName = trimToNull(request.getString("display_name"));
    if (displayName != null && VisibleText.hasHidden(displayName)) {
      return hiddenCharacters("display_name");
    }
    String id = Ids.next("usr");
    return vertx.executeBlocking(() -> hasher.hash(password), false)
      .compose(hash -> users.insert(id, email, hash, displayName))
      .recover(t -> Errors.isUniqueViolation(t)
        ? Errors.conflict("email_taken", "An account with this email already exists.")
        : Future.failedFuture(t))
      .map(v -> {
        vertx.eventBus().publish(USER_REGISTERED_ADDRESS, new JsonObject().put("user_id", id).put("email", email));
        AuditEvent.publish(vertx, "user.registered", id, id, request, null);
        // the account exists either way; a mail that could not be queued is sent again on resend
        mailVerification(id, email).onFailure(t -> LOG.warn("verification mail for {} not queued: {}", id,
          t.getClass().getSimpleName()));
        return session(id, email, displayName, 0);
      })
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> login(JsonObject request) {
    String email = EmailAddress.normalize(request.getString("email"));
    if (email == null) {
      return invalidEmail();
    }
    String password = request.getString("password", "");
    String network = ClientNetwork.of(request.getString("ip"));
    return throttle.blockedForSeconds(email, network).compose(blocked -> {
      if (blocked > 0) {
        AuditEvent.publish(vertx, "login.locked", null, email, request, new JsonObject().put("network", network));
        return Future.failedFuture(lockedOut(blocked));
      }
      return users.byEmail(email).compose(user -> checkPassword(user, password).compose(ok -> {
        if (!ok) {
          AuditEvent.publish(vertx, "login.failed", user == null ? null : user.id(), email, request, null);
          return throttle.recordFailure(email, network, config.lockoutThreshold(), config.lockoutSeconds())
            .compose(v -> Errors.unauthorized("invalid_credentials", "Invalid email or password."));
        }
        if (!"active".equals(user.status())) {
          return Errors.forbidden("account_suspended", "This account is suspended.");
        }
        Future<String> newHash = hasher.needsRehash(user.passwordHash())
          ? vertx.executeBlocking(() -> hasher.hash(password), false)
          : Future.succeededFuture(null);
        return newHash
          .compose(h -> Future.all(users.recordLogin(user.id(), h), throttle.clear(email, network)))
          .map(v -> {
            AuditEvent.publish(vertx, "login.succeeded", user.id(), user.id(), request, null);
            return session(user.id(), user.email(), user.displayName(), user.sessionVersion());
          });
      }));
    }).recover(Errors::internal);
  }

  private Future<Boolean> checkPassword(UserStore.UserRow user, String password) {
    return vertx.executeBlocking(() -> {
      if (user == null) {
        hasher.burn(password);
        return false;
      }
      return hasher.verify(password, user.passwordHash());
    }, false);
  }

  private static ServiceException lockedOut(long seconds) {
    ServiceException e = Errors.error(429, "login_locked",
      "Too many failed logins for this account from your network. Try again in " + seconds + " seconds.", null);
    e.getDebugInfo().put("retry_after", seconds);
    return e;
  }

  private JsonObject session(String id, String email, String displayName, long sessionVersion) {
    return new JsonObject().put("id", id).put("email", email).put("display_name", displayName)
      .put("token", tokens.issue(id, email, sessionVersion));
  }

  // ---- ending sessions: logout, password reset, suspension ----

  /** Raises the session version (and sets the status when given), then tells every node. */
  private Future<JsonObject> endSessions(String userId, String status) {
    return users.endSessions(userId, status).map(state -> {
      if (state != null) {
        cache.removeUser(userId);
        vertx.eventBus().publish(SessionStates.REVOKED_ADDRESS, state);
      }
      return state;
    });
  }

  @Override
  public Future<JsonObject> sessionState(String userId) {
    return users.sessionState(userId).compose(state -> state == null
      ? Errors.<JsonObject>notFound("User not found.")
      : Future.succeededFuture(state)).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> logout(String userId, JsonObject context) {
    return endSessions(userId, null).compose(state -> {
      if (state == null) {
        return Errors.<JsonObject>notFound("User not found.");
      }
      AuditEvent.publish(vertx, "user.logged_out", userId, userId, context, null);
      return Future.succeededFuture(new JsonObject().put("logged_out", true));
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> changePassword(String userId, JsonObject request) {
    if (!"jwt".equals(request.getString("caller_via"))) {
      return Errors.forbidden("session_required", "Change the password from a signed-in session, not with an API key.");
    }
    String current = request.getString("current_password", "");
    String fresh = request.getString("new_password");
    String problem = policy.problem(fresh);
    if (problem != null) {
      return Errors.badRequest("weak_password", problem, "new_password");
    }
    String network = ClientNetwork.of(request.getString("ip"));
    return users.byId(userId).compose(user -> {
      if (user == null) {
        return Errors.<JsonObject>notFound("User not found.");
      }
      return throttle.blockedForSeconds(user.email(), network).compose(blocked -> {
        if (blocked > 0) {
          return Future.<JsonObject>failedFuture(lockedOut(blocked));
        }
        return checkPassword(user, current).compose(ok -> {
          if (!ok) {
            AuditEvent.publish(vertx, "password.change_failed", userId, userId, request, null);
            return throttle.recordFailure(user.email(), network, config.lockoutThreshold(), config.lockoutSeconds())
              .compose(v -> Errors.<JsonObject>badRequest("wrong_password", "The current password is not correct.",
                "current_password"));
          }
          return vertx.executeBlocking(() -> hasher.hash(fresh), false)
            .compose(hash -> users.setPassword(userId, hash))
            .compose(v -> endSessions(userId, null))
            .compose(state -> throttle.clear(user.email(), network).map(v -> {
              vertx.eventBus().publish(PASSWORD_CHANGED_ADDRESS, new JsonObject().put("user_id", userId));
              AuditEvent.publish(vertx, "password.changed", userId, userId, request, null);
              return session(userId, user.email(), user.displayName(), state.getLong("session_version"));
            }));
        });
      });
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> setUserStatus(String actorId, String userId, JsonObject request) {
    String status = request.getString("status");
    if (!"active".equals(status) && !"suspended".equals(status)) {
      return Errors.badRequest("invalid_status", "status must be \"active\" or \"suspended\".", "status");
    }
    JsonObject context = request.getJsonObject("context", new JsonObject());
    return requireOperator(actorId).compose(operator -> {
      if (userId.equals(actorId) && "suspended".equals(status)) {
        return Errors.<JsonObject>conflict("cannot_suspend_self", "An operator cannot suspend their own account.");
      }
      return endSessions(userId, status).compose(state -> {
        if (state == null) {
          return Errors.<JsonObject>notFound("User not found.");
        }
        AuditEvent.publish(vertx, "suspended".equals(status) ? "user.suspended" : "user.reactivated", actorId, userId,
          context, new JsonObject().put("status", status));
        return users.byId(userId).map(u -> new JsonObject().put("id", u.id()).put("email", u.email())
          .put("status", u.status()));
      });
    }).recover(Errors::internal);
  }

  // ---- mailed tokens: verification and password reset ----

  private Future<Void> mailVerification(String userId, String email) {
    String token = EmailTokens.generate();
    String link = config.publicUrl() + "/#/verify?token=" + token;
    String body = "Confirm that this address belongs to your Chrysalis Forge account:\n\n" + link + "\n\n"
      + "Or send the token yourself: POST /auth/verify {\"token\": \"" + token + "\"}\n"
      + "The link expires in " + hours(config.verifyTokenTtlSeconds()) + ". If you did not register, ignore this mail.\n";
    return emailTokens.insert(EmailTokens.hash(token), userId, "verify", email, config.verifyTokenTtlSeconds())
      .compose(v -> queueMail(email, "Confirm your email address", body));
  }

  private Future<Void> mailReset(String userId, String email) {
    String token = EmailTokens.generate();
    String link = config.publicUrl() + "/#/reset?token=" + token;
    String body = "Someone asked to reset the password of your Chrysalis Forge account.\n\n" + link + "\n\n"
      + "Or: POST /auth/password/reset {\"token\": \"" + token + "\", \"password\": \"...\"}\n"
      + "The link expires in " + hours(config.resetTokenTtlSeconds()) + " and works once. "
      + "If it was not you, ignore this mail: your password stays as it is.\n";
    return emailTokens.insert(EmailTokens.hash(token), userId, "reset", email, config.resetTokenTtlSeconds())
      .compose(v -> queueMail(email, "Reset your password", body));
  }

  private Future<Void> queueMail(String to, String subject, String body) {
    return vertx.eventBus().request(MailVerticle.SEND_ADDRESS,
      new JsonObject().put("to", to).put("subject", subject).put("body", body)).mapEmpty();
  }

  private static String hours(long seconds) {
    return seconds % 3600 == 0 ? (seconds / 3600) + " hour(s)" : (seconds / 60) + " minute(s)";
  }

  private static boolean tokenShaped(String token) {
    return token != null && token.length() >= 16 && token.length() <= 128;
  }

  private static <T> Future<T> invalidToken() {
    return Errors.badRequest("invalid_token", "This link is invalid, used or expired. Ask for a new one.", "token");
  }

  @Override
  public Future<JsonObject> verifyEmail(JsonObject request) {
    String token = request.getString("token");
    if (!tokenShaped(token)) {
      return invalidToken();
    }
    return emailTokens.consume(EmailTokens.hash(token), "verify").compose(claimed -> {
      if (claimed == null) {
        return invalidToken();
      }
      return users.markVerified(claimed.userId(), claimed.email()).compose(ok -> {
        if (!ok) {
          return invalidToken();
        }
        AuditEvent.publish(vertx, "user.email_verified", claimed.userId(), claimed.userId(), request, null);
        return emailTokens.revokeOpen(claimed.userId(), "verify").map(v -> new JsonObject()
          .put("id", claimed.userId()).put("email", claimed.email()).put("email_verified", true));
      });
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> resendVerification(String userId) {
    return users.byId(userId).compose(user -> {
      if (user == null) {
        return Errors.<JsonObject>notFound("User not found.");
      }
      if (user.emailVerified()) {
        return Errors.<JsonObject>conflict("already_verified", "This email address is already verified.");
      }
      return emailTokens.sentWithin(userId, "verify", config.mailResendSeconds()).compose(n -> {
        if (n > 0) {
          ServiceException e = Errors.error(429, "resend_too_soon",
            "A verification mail was sent less than " + config.mailResendSeconds() + " seconds ago. Check your inbox.", null);
          e.getDebugInfo().put("retry_after", config.mailResendSeconds());
          return Future.<JsonObject>failedFuture(e);
        }
        return mailVerification(userId, user.email()).map(v -> new JsonObject().put("sent", true));
      });
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> forgotPassword(JsonObject request) {
    String email = EmailAddress.normalize(request.getString("email"));
    if (email == null) {
      return invalidEmail();
    }
    JsonObject answer = new JsonObject().put("sent", true);
    // the answer and its timing do not depend on the account: the lookup and the mail run after it
    users.byEmail(email).compose(user -> {
      if (user == null || !"active".equals(user.status())) {
        return Future.<Void>succeededFuture();
      }
      return emailTokens.sentWithin(user.id(), "reset", config.mailResendSeconds())
        .compose(n -> n > 0 ? Future.<Void>succeededFuture() : mailReset(user.id(), user.email())
          .onSuccess(v -> AuditEvent.publish(vertx, "password.reset_requested", user.id(), user.id(), request, null)));
    }).onFailure(t -> LOG.warn("password reset mail not queued: {}", t.getClass().getSimpleName()));
    return Future.succeededFuture(answer);
  }

  @Override
  public Future<JsonObject> resetPassword(JsonObject request) {
    String token = request.getString("token");
    String password = request.getString("password");
    if (!tokenShaped(token)) {
      return invalidToken();
    }
    String problem = policy.problem(password);
    if (problem != null) {
      return Errors.badRequest("weak_password", problem, "password");
    }
    return emailTokens.consume(EmailTokens.hash(token), "reset").compose(claimed -> {
      if (claimed == null) {
        return invalidToken();
      }
      return users.byId(claimed.userId()).compose(user -> {
        if (user == null || !user.email().equals(claimed.email())) {
          return invalidToken();
        }
        return vertx.executeBlocking(() -> hasher.hash(password), false)
          .compose(hash -> users.setPassword(user.id(), hash))
          .compose(v -> Future.all(emailTokens.revokeOpen(user.id(), "reset"), throttle.clearAll(user.email()),
            endSessions(user.id(), null)))
          .map(v -> {
            // the mail reached its owner, so the address is proven as well
            users.markVerified(user.id(), user.email());
            vertx.eventBus().publish(PASSWORD_CHANGED_ADDRESS, new JsonObject().put("user_id", user.id()));
            AuditEvent.publish(vertx, "password.reset", user.id(), user.id(), request, null);
            return new JsonObject().put("reset", true);
          });
      });
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> requireOperator(String userId) {
    if (userId == null) {
      return adminOnly();
    }
    return users.byId(userId).compose(user -> operators.isOperator(user)
      ? Future.succeededFuture(new JsonObject().put("id", user.id()).put("email", user.email()))
      : AuthServiceImpl.<JsonObject>adminOnly()).recover(Errors::internal);
  }

  private static <T> Future<T> adminOnly() {
    return Errors.forbidden("admin_only",
      "Only operators may do this: a verified email listed in CHRYSALIS_ADMIN_EMAILS.");
  }

  @Override
  public Future<JsonObject> authenticateApiKey(String apiKey) {
    if (!ApiKeys.looksValid(apiKey)) {
      return Errors.unauthorized("invalid_api_key", "Invalid API key.");
    }
    String hash = apiKeys.hash(apiKey);
    long now = System.currentTimeMillis();
    ApiKeyCache.Entry cached = cache.get(hash, now);
    if (cached == null && unknownKeys.isUnknown(hash, now)) {
      return Errors.unauthorized("invalid_api_key", "Invalid API key.");
    }
    long generation = unknownKeys.generation();
    Future<ApiKeyCache.Entry> entry = cached != null
      ? Future.succeededFuture(cached)
      : keys.byPrefix(ApiKeys.lookupPrefix(apiKey)).map(rows -> {
        for (ApiKeyStore.KeyRow row : rows) {
          if (ApiKeys.sameHash(row.keyHash(), hash)) {
            return cache.put(hash, row, now);
          }
        }
        unknownKeys.remember(hash, System.currentTimeMillis(), generation);
        return null;
      });
    return entry.compose(e -> {
      if (e == null) {
        return Errors.unauthorized("invalid_api_key", "Invalid API key.");
      }
      ApiKeyStore.KeyRow row = e.row;
      if (row.expiresAt() != null && !row.expiresAt().toInstant().isAfter(Instant.ofEpochMilli(now))) {
        return Errors.unauthorized("api_key_expired", "This API key has expired.");
      }
      if (now - e.lastTouchMs >= LAST_USED_EVERY_MS) {
        e.lastTouchMs = now;
        keys.touch(row.id()).onFailure(t -> e.lastTouchMs = 0);
      }
      return Future.succeededFuture(new JsonObject().put("user_id", row.userId()).put("email", row.email())
        .put("via", "api_key").put("key_id", row.id()).put("scopes", new JsonArray(new ArrayList<>(row.scopes())))
        .put("expires_at", row.expiresAt() == null ? null : row.expiresAt().toInstant().toString()));
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> getUser(String userId) {
    return users.byId(userId).compose(u -> u == null
      ? Errors.<JsonObject>notFound("User not found.")
      : Future.succeededFuture(u.publicJson())).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> findUserByEmail(String email) {
    String normalized = EmailAddress.normalize(email);
    if (normalized == null) {
      return Errors.notFound("No user with this email.");
    }
    return users.byEmail(normalized).compose(u -> u == null
      ? Errors.<JsonObject>notFound("No user with this email.")
      : Future.succeededFuture(new JsonObject().put("id", u.id()).put("email", u.email())
        .put("display_name", u.displayName()))).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> listApiKeys(String userId, JsonObject query) {
    JsonObject q = query == null ? new JsonObject() : query;
    int limit = PageCursor.limit(q.getValue("limit"));
    if (limit < 0) {
      return Errors.badRequest("invalid_limit", "limit must be an integer from 1 to " + PageCursor.MAX_LIMIT + ".", "limit");
    }
    PageCursor after;
    try {
      after = PageCursor.decode(q.getString("after"));
    } catch (RuntimeException e) {
      return Errors.badRequest("invalid_cursor", "The 'after' cursor is not one this API returned.", "after");
    }
    return keys.byUser(userId, after == null ? null : after.at(), after == null ? null : after.id(), limit + 1).map(rows -> {
      JsonArray data = new JsonArray();
      boolean more = rows.size() > limit;
      List<ApiKeyStore.KeyRow> shown = more ? rows.subList(0, limit) : rows;
      shown.forEach(r -> data.add(r.publicJson()));
      ApiKeyStore.KeyRow last = shown.isEmpty() ? null : shown.get(shown.size() - 1);
      return new JsonObject().put("data", data).put("has_more", more)
        .put("next_cursor", more ? PageCursor.encode(last.createdAt(), last.id()) : null);
    }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> createApiKey(String userId, JsonObject request) {
    String name = trimToNull(request.getString("name"));
    if (name != null && VisibleText.hasHidden(name)) {
      return hiddenCharacters("name");
    }
    Set<String> callerScopes = ApiKeyScopes.of(request.getJsonArray("caller_scopes"));
    JsonArray requested = request.getJsonArray("scopes", ApiKeyScopes.defaultFor(callerScopes));
    Set<String> scopes = new LinkedHashSet<>();
    for (Object s : requested) {
      if (!(s instanceof String str) || !SCOPES.contains(str)) {
        return Errors.badRequest("invalid_scope", "Unknown scope; allowed: *, chat, read, write, keys.", "scopes");
      }
      scopes.add(str);
    }
    if (scopes.isEmpty()) {
      return Errors.badRequest("invalid_scope", "At least one scope is required.", "scopes");
    }
    if (!ApiKeyScopes.within(scopes, callerScopes)) {
      return Future.failedFuture(Errors.error(403, "scope_escalation",
        "An API key may only create keys whose scopes are within its own (" + String.join(", ", callerScopes)
          + "); sign in to create a broader key.", "scopes"));
    }
    OffsetDateTime expiresAt = null;
    String expires = request.getString("expires_at");
    if (expires != null) {
      try {
        expiresAt = OffsetDateTime.parse(expires).withOffsetSameInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        return Errors.badRequest("invalid_expires_at", "expires_at must be an RFC 3339 date-time.", "expires_at");
      }
      if (!expiresAt.toInstant().isAfter(Instant.now())) {
        return Errors.badRequest("invalid_expires_at", "expires_at must be in the future.", "expires_at");
      }
    }
    String key = ApiKeys.generate();
    String id = Ids.next("key");
    String keyName = name == null ? "API key" : name;
    List<String> scopeList = List.copyOf(scopes);
    OffsetDateTime exp = expiresAt;
    String hash = apiKeys.hash(key);
    return caps.cap(userId, null, PlanLimits.Kind.API_KEYS)
      .compose(cap -> keys.insert(id, userId, keyName, ApiKeys.lookupPrefix(key), hash, scopeList, exp, cap)
        .compose(inserted -> inserted ? Future.succeededFuture()
          : Future.failedFuture(ObjectCaps.reached(PlanLimits.Kind.API_KEYS, cap))))
      .map(v -> {
        // keys are random, so none was ever looked up; dropped from the unknown-key caches anyway
        unknownKeys.forget(hash);
        vertx.eventBus().publish(KEY_CREATED_ADDRESS, hash);
        AuditEvent.publish(vertx, "api_key.created", userId, id, request, null);
        return new JsonObject().put("id", id).put("name", keyName).put("prefix", ApiKeys.lookupPrefix(key))
          .put("scopes", new JsonArray(new ArrayList<>(scopeList)))
          .put("created_at", Instant.now().toString())
          .put("last_used", null)
          .put("expires_at", exp == null ? null : exp.toInstant().toString())
          .put("key", key);
      }).recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> deleteApiKey(String userId, String keyId, JsonObject context) {
    return keys.delete(userId, keyId).compose(deleted -> {
      if (!deleted) {
        return Errors.<JsonObject>notFound("API key not found.");
      }
      cache.removeKey(keyId);
      vertx.eventBus().publish(KEY_REVOKED_ADDRESS, keyId);
      AuditEvent.publish(vertx, "api_key.deleted", userId, keyId, context, null);
      return Future.succeededFuture(new JsonObject().put("deleted", true).put("id", keyId));
    }).recover(Errors::internal);
  }

  private static <T> Future<T> invalidEmail() {
    return Errors.badRequest("invalid_email", "This is not an email address we accept: no spaces, invisible or "
      + "bidirectional control characters, or mixed scripts within the name or the domain.", "email");
  }

  static <T> Future<T> hiddenCharacters(String param) {
    return Errors.badRequest("hidden_characters",
      "'" + param + "' may not contain invisible or bidirectional control characters, or spaces other than U+0020.", param);
  }

  private static String trimToNull(String s) {
    if (s == null) {
      return null;
    }
    String t = VisibleText.trim(s);
    return t.isEmpty() ? null : t;
  }
}
