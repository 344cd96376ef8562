package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.limits.ObjectCaps;
import dev.chrysalis.forge.limits.PlanLimits;
import dev.chrysalis.forge.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.Objects;
import java.util.Set;

/**
 * Chat sessions and their messages. A session is private to the user who opened it; one of a
 * thread is what the gateway's thread chat appends to.
 */
final class Sessions {

  static final Set<String> MODES = Set.of("ask", "architect", "code", "semantic");
  static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
  static final int SHOWN_MESSAGES = 200;
  static final int MAX_HISTORY = 1000;
  static final int MAX_APPEND = 100;
  static final int MAX_CONTENT = 1_000_000;
  /** How long a claimed rotation holds off others: longer than a summary call may take. */
  static final long ROTATION_LEASE_SECONDS = 600;

  private final SessionStore store;
  private final Threads threads;
  private final Orgs orgs;

  private final ObjectCaps caps;

  Sessions(SessionStore store, Threads threads, Orgs orgs, ObjectCaps caps) {
    this.caps = caps;
    this.store = store;
    this.threads = threads;
    this.orgs = orgs;
  }

  Future<JsonObject> list(String userId, JsonObject r) throws ServiceException {
    return store.list(userId, Page.from(r));
  }

  Future<JsonObject> create(String userId, JsonObject r) throws ServiceException {
    String mode = Objects.requireNonNullElse(Input.oneOf(r, "mode", MODES), "ask");
    String title = Input.line(r, "title", 200);
    String orgId = Input.id(r, "org_id");
    String id = Ids.next("ses");
    Future<?> check = orgId == null ? Future.succeededFuture() : orgs.requireRole(orgId, userId, Role::canWrite, "write");
    return check.compose(v -> caps.cap(userId, orgId, PlanLimits.Kind.SESSIONS))
      .compose(cap -> store.insertStandalone(id, userId, orgId, mode, title, cap)
        .compose(inserted -> inserted ? Future.<Void>succeededFuture()
          : Future.<Void>failedFuture(ObjectCaps.reached(PlanLimits.Kind.SESSIONS, cap))))
      .compose(v -> store.owned(store.pool(), id, userId));
  }

  Future<JsonObject> get(String userId, JsonObject r) throws ServiceException {
    String sessionId = Input.requiredId(r, "session_id");
    return owned(sessionId, userId).compose(session -> Future.all(
        store.history(store.pool(), sessionId, SHOWN_MESSAGES), store.usage(store.pool(), sessionId))
      .map(all -> {
        JsonObject history = all.resultAt(0);
        return session.copy().put("messages", history.getJsonArray("messages"))
          .put("has_more_messages", history.getBoolean("has_more")).put("usage", all.resultAt(1));
      }));
  }

  Future<JsonObject> activeForThread(String userId, String threadId, JsonObject options) throws ServiceException {
    if (threadId == null) {
      return Errors.badRequest("missing_parameter", "'thread_id' is required.", "thread_id");
    }
    Input.requiredId(new JsonObject().put("thread_id", threadId), "thread_id");
    JsonObject o = options == null ? new JsonObject() : options;
    String mode = Objects.requireNonNullElse(Input.oneOf(o, "mode", MODES), "ask");
    String title = Input.line(o, "title", 200);
    return threads.access(threadId, userId).compose(a -> a.writable("Thread")).compose(thread -> {
      String orgId = thread.getString("org_id");
      String sessionTitle = title != null ? title : thread.getString("title");
      return getOrCreate(userId, orgId, threadId, mode, sessionTitle, 2);
    });
  }

  /** Insert-if-absent then read; a session archived between the two is followed by one more round. */
  private Future<JsonObject> getOrCreate(String userId, String orgId, String threadId, String mode, String title, int rounds) {
    return store.insertActiveForThread(Ids.next("ses"), userId, orgId, threadId, mode, title)
      .compose(created -> store.activeForThread(threadId, userId).compose(s -> {
        if (s != null) {
          return Future.succeededFuture(s.copy().put("created", created));
        }
        return rounds > 1 ? getOrCreate(userId, orgId, threadId, mode, title, rounds - 1)
          : Errors.conflict("session_busy", "The thread's session changed while opening it. Try again.");
      }));
  }

  Future<JsonObject> append(String userId, String sessionId, JsonArray messages) throws ServiceException {
    Input.requiredId(new JsonObject().put("session_id", sessionId), "session_id");
    validate(messages);
    return store.pool().withTransaction(c -> store.owned(c, sessionId, userId).compose(session -> {
      if (session == null) {
        return Errors.notFound("Session not found.");
      }
      if (!"active".equals(session.getString("status"))) {
        return Errors.conflict("session_archived", "This session is archived; start a new one.");
      }
      return store.append(c, sessionId, messages);
    })).map(ids -> new JsonObject().put("session_id", sessionId).put("message_ids", ids));
  }

  Future<JsonObject> history(String userId, String sessionId, int limit) throws ServiceException {
    Input.requiredId(new JsonObject().put("session_id", sessionId), "session_id");
    if (limit < 1 || limit > MAX_HISTORY) {
      return Errors.badRequest("invalid_limit", "limit must be from 1 to " + MAX_HISTORY + ".", "limit");
    }
    return owned(sessionId, userId).compose(session -> store.history(store.pool(), sessionId, limit)
      .map(h -> new JsonObject().put("session", session).put("messages", h.getJsonArray("messages"))
        .put("has_more", h.getBoolean("has_more"))));
  }

  /**
   * {max_messages (1–1000), max_bytes (≥ 0)} → {session, messages, has_more, usage}: the latest
   * messages whose contents fit {@code max_bytes} together, oldest first, and the totals of the
   * whole session.
   */
  Future<JsonObject> window(String userId, String sessionId, JsonObject request) throws ServiceException {
    Input.requiredId(new JsonObject().put("session_id", sessionId), "session_id");
    JsonObject r = request == null ? new JsonObject() : request;
    long limit = r.getValue("max_messages") instanceof Number n ? n.longValue() : -1;
    long maxBytes = r.getValue("max_bytes") instanceof Number n ? n.longValue() : -1;
    if (limit < 1 || limit > MAX_HISTORY) {
      return Errors.badRequest("invalid_limit", "max_messages must be from 1 to " + MAX_HISTORY + ".", "max_messages");
    }
    if (maxBytes < 0) {
      return Errors.badRequest("invalid_limit", "max_bytes must be 0 or more.", "max_bytes");
    }
    return owned(sessionId, userId).compose(session -> Future.all(
        store.window(store.pool(), sessionId, (int) limit, maxBytes), store.usage(store.pool(), sessionId))
      .map(all -> {
        JsonObject w = all.resultAt(0);
        return new JsonObject().put("session", session).put("messages", w.getJsonArray("messages"))
          .put("has_more", w.getBoolean("has_more")).put("usage", all.resultAt(1));
      }));
  }

  /** Claims the rotation of the user's active session → {claimed}. */
  Future<JsonObject> claimRotation(String userId, String sessionId) throws ServiceException {
    Input.requiredId(new JsonObject().put("session_id", sessionId), "session_id");
    return store.claimRotation(sessionId, userId, ROTATION_LEASE_SECONDS).map(claimed -> new JsonObject().put("claimed", claimed));
  }

  /** {retry_base_ms} → {attempts, not_before}: records a failed rotation of the user's session. */
  Future<JsonObject> rotationFailed(String userId, String sessionId, JsonObject request) throws ServiceException {
    Input.requiredId(new JsonObject().put("session_id", sessionId), "session_id");
    long base = request != null && request.getValue("retry_base_ms") instanceof Number n ? n.longValue() : -1;
    if (base < 1) {
      return Errors.badRequest("invalid_request", "retry_base_ms must be a positive number of milliseconds.", "retry_base_ms");
    }
    return store.rotationFailed(sessionId, userId, base)
      .compose(r -> r == null ? Errors.notFound("Session not found.") : Future.succeededFuture(r));
  }

  Future<JsonObject> archive(String userId, String sessionId, JsonObject request) throws ServiceException {
    Input.requiredId(new JsonObject().put("session_id", sessionId), "session_id");
    String summary = Input.text(request == null ? new JsonObject() : request, "summary", 20_000);
    return owned(sessionId, userId).compose(session -> {
      String threadId = session.getString("thread_id");
      Future<Void> summarize = summary == null || threadId == null ? Future.succeededFuture()
        : threads.setSummary(userId, threadId, summary);
      return summarize.compose(v -> store.archive(store.pool(), sessionId))
        .compose(v -> store.owned(store.pool(), sessionId, userId));
    });
  }

  private Future<JsonObject> owned(String sessionId, String userId) {
    return store.owned(store.pool(), sessionId, userId)
      .compose(s -> s == null ? Errors.notFound("Session not found.") : Future.succeededFuture(s));
  }

  private static void validate(JsonArray messages) throws ServiceException {
    if (messages == null || messages.isEmpty() || messages.size() > MAX_APPEND) {
      throw Errors.error(400, "invalid_request", "messages must hold 1 to " + MAX_APPEND + " messages.", "messages");
    }
    for (int i = 0; i < messages.size(); i++) {
      String p = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject m)) {
        throw Errors.error(400, "invalid_request", p + " must be an object.", p);
      }
      if (!(m.getValue("role") instanceof String role) || !ROLES.contains(role)) {
        throw Errors.error(400, "invalid_request", p + ".role must be one of system, user, assistant, tool.", p + ".role");
      }
      if (!(m.getValue("content") instanceof String content) || content.length() > MAX_CONTENT) {
        throw Errors.error(400, "invalid_request", p + ".content must be text of at most " + MAX_CONTENT + " characters.",
          p + ".content");
      }
      for (String k : new String[] {"tokens_in", "tokens_out"}) {
        Object v = m.getValue(k);
        if (v != null && !(v instanceof Integer || v instanceof Long) || v instanceof Number n && (n.longValue() < 0
          || n.longValue() > Integer.MAX_VALUE)) {
          throw Errors.error(400, "invalid_request", p + "." + k + " must be a non-negative integer.", p + "." + k);
        }
      }
      Object cost = m.getValue("cost_usd");
      if (cost != null && (!(cost instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0
        || n.doubleValue() >= 1_000_000)) {
        throw Errors.error(400, "invalid_request", p + ".cost_usd must be a non-negative number below 1000000.", p + ".cost_usd");
      }
      Object model = m.getValue("model");
      if (model != null && (!(model instanceof String s) || s.length() > 200)) {
        throw Errors.error(400, "invalid_request", p + ".model must be text of at most 200 characters.", p + ".model");
      }
    }
  }
}
