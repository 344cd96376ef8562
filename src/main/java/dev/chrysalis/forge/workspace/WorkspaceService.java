package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.cluster.LocalServices;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Organizations, projects, threads and sessions on the event bus ({@value #ADDRESS}). Every
 * method takes the acting user's id first and checks what that user may see and change: what it
 * cannot see fails with 404, what it may see but not change with 403. Requests are the validated
 * HTTP body merged with path and query values and the request context {@code {ip, user_agent}}.
 * List methods take {@code {limit?, after?}} and answer {@code {data, has_more, next_cursor}}.
 * See docs/event-bus.md for every message.
 */
@ProxyGen
@VertxGen
public interface WorkspaceService {

  String ADDRESS = "forge.workspace";

  /** This node's WorkspaceService when it runs one, else any node's (see {@code cluster/LocalServices}). */
  static WorkspaceService createProxy(Vertx vertx) {
    return new WorkspaceServiceVertxEBProxy(vertx, ADDRESS, LocalServices.options(vertx, ADDRESS, 15_000));
  }

  // ---- organizations ----

  /** {limit?, after?} → the caller's orgs, each with the caller's {@code role}. */
  Future<JsonObject> listOrgs(String userId, JsonObject request);

  /** {name, slug, settings?} → the org; the caller becomes its owner. 409 slug_taken. */
  Future<JsonObject> createOrg(String userId, JsonObject request);

  /** {org_id} → the org with the caller's role. */
  Future<JsonObject> getOrg(String userId, JsonObject request);

  /** {org_id, name?, settings?} (admin) → the org. */
  Future<JsonObject> updateOrg(String userId, JsonObject request);

  /** {org_id} (owner) → {deleted, id}. Members and invites go; threads, projects, sessions are detached. */
  Future<JsonObject> deleteOrg(String userId, JsonObject request);

  /** {org_id, limit?, after?} → members {user_id, email, display_name, role, joined_at}. */
  Future<JsonObject> listMembers(String userId, JsonObject request);

  /** {org_id, user_id, role} (admin; owner for anything touching ownership) → the member. 409 last_owner. */
  Future<JsonObject> updateMember(String userId, JsonObject request);

  /** {org_id, user_id} (admin, or the member itself leaving) → {removed, user_id}. 409 last_owner. */
  Future<JsonObject> removeMember(String userId, JsonObject request);

  /** {org_id, email, role?} (admin) → {status:"invited", email, invite_id, role, expires_at}; the secret goes by mail only. */
  Future<JsonObject> inviteMember(String userId, JsonObject request);

  /** {org_id, limit?, after?} (admin) → pending and expired invites that were not accepted. */
  Future<JsonObject> listInvites(String userId, JsonObject request);

  /** {org_id, invite_id} (admin) → {deleted, id}. */
  Future<JsonObject> deleteInvite(String userId, JsonObject request);

  /** {invite_id, token}: the signed-in account whose verified email was invited joins → {status:"accepted", org_id, role}. */
  Future<JsonObject> acceptInvite(String userId, JsonObject request);

  /** {org_id, action?, limit?, after?} (admin) → the org's audit events, newest first. */
  Future<JsonObject> listAudit(String userId, JsonObject request);

  /**
   * The user's role in the org → {org_id, user_id, role}; 404 when the user is not a member or the
   * org does not exist. Billing asks this before trusting an org id a caller passes.
   */
  Future<JsonObject> getMembership(String orgId, String userId);

  /**
   * Whether an organization exists → {org_id, exists}, whoever asks. Billing asks this before an
   * operator assigns a plan to an org id, so a typo is a 404 rather than a stored assignment.
   */
  Future<JsonObject> orgExists(String orgId);

  // ---- projects ----

  /** {org_id?, limit?, after?} → projects the caller can see (or one org's). */
  Future<JsonObject> listProjects(String userId, JsonObject request);

  /** {name, slug?, description?, org_id?, settings?} → the project. 409 slug_taken. */
  Future<JsonObject> createProject(String userId, JsonObject request);

  /** {project_id} → the project with {@code threads}, the first page of its threads. */
  Future<JsonObject> getProject(String userId, JsonObject request);

  // ---- threads ----

  /** {project_id?, status?, limit?, after?} → threads the caller can see. */
  Future<JsonObject> listThreads(String userId, JsonObject request);

  /** {title?, project_id?, org_id?, parent_thread_id?, continues_from?} → the thread with relations and contexts. */
  Future<JsonObject> createThread(String userId, JsonObject request);

  /**
   * {thread_id} → the thread with {@code relations} (each list capped, {@code has_more} when cut)
   * and the first page of its {@code contexts} ({@code contexts_has_more}, {@code contexts_next_cursor}).
   */
  Future<JsonObject> getThread(String userId, JsonObject request);

  /** {thread_id, title?, status?, summary?} → the thread. */
  Future<JsonObject> updateThread(String userId, JsonObject request);

  /** {thread_id, to_thread_id, relation_type} → the relation. 400 self_relation, 409 relation_cycle / relation_exists. */
  Future<JsonObject> addRelation(String userId, JsonObject request);

  /**
   * {thread_id, kind (children | continued_by | related), limit?, after?} → a page of that list of
   * the thread's relations, oldest first, visible threads only: {id, title, status, related_at}.
   */
  Future<JsonObject> listRelations(String userId, JsonObject request);

  /**
   * {thread_id, limit?, after?} → {data, has_more, next_cursor}: a page of the thread's contexts
   * in creation order, cut short once it holds {@code workspace.context_page_bytes}; {@code data}
   * is the page as a forest (a context whose parent is on an earlier page is a root of this one).
   */
  Future<JsonObject> listContexts(String userId, JsonObject request);

  /** {thread_id, title, kind?, body?, parent_id?, metadata?} → the context. */
  Future<JsonObject> addContext(String userId, JsonObject request);

  // ---- sessions ----

  /** {limit?, after?} → the caller's sessions. */
  Future<JsonObject> listSessions(String userId, JsonObject request);

  /** {mode?, title?, org_id?} → the session. */
  Future<JsonObject> createSession(String userId, JsonObject request);

  /** {session_id} → the session with its latest {@code messages} (oldest first) and usage totals. */
  Future<JsonObject> getSession(String userId, JsonObject request);

  // ---- for the gateway's thread chat ----

  /**
   * The user's active session of a thread, created when there is none. The thread must be one
   * the user may write (404 / 403 otherwise). options {mode?, title?} → the session plus {@code created}.
   */
  Future<JsonObject> activeThreadSession(String userId, String threadId, JsonObject options);

  /**
   * Appends messages [{role, content, tokens_in?, tokens_out?, cost_usd?, model?}] (1–100) to an
   * active session of the user, in order → {session_id, message_ids}. 409 session_archived.
   */
  Future<JsonObject> appendMessages(String userId, String sessionId, JsonArray messages);

  /** The last {@code limit} (1–1000) messages, oldest first → {session, messages, has_more}. */
  Future<JsonObject> sessionHistory(String userId, String sessionId, int limit);

  /**
   * What a thread chat prompt is built from, without the rest of the context tree: the thread
   * (readable by the user) → {thread, focus?}; with a context id, {@code focus} is {id, title,
   * body, path (ancestor titles, root first)}. 404 context_not_found when it is not in the thread.
   */
  Future<JsonObject> threadChatContext(String userId, String threadId, String contextId);

  /**
   * {max_messages (1–1000), max_bytes} → {session, messages, has_more, usage}: the latest messages
   * whose contents fit {@code max_bytes} together (oldest first; the database reads no other
   * content) and the totals of the whole session {message_count, tokens_in, tokens_out, cost_usd}.
   */
  Future<JsonObject> sessionWindow(String userId, String sessionId, JsonObject request);

  /**
   * Claims the rotation of the user's active session → {claimed}. False while another claim
   * holds (10 minutes) or after a failed rotation until its backoff has passed.
   */
  Future<JsonObject> claimRotation(String userId, String sessionId);

  /**
   * {retry_base_ms} → {attempts, not_before}: records a failed rotation; the next claim succeeds
   * after {@code retry_base_ms} doubled per earlier failure (at most 64 times).
   */
  Future<JsonObject> rotationFailed(String userId, String sessionId, JsonObject request);

  /** Archives the session; {summary?} also becomes its thread's summary → the session. */
  Future<JsonObject> archiveSession(String userId, String sessionId, JsonObject request);
}
