package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

/** Routes each bus call to the class holding its rules, and keeps every failure in our shape. */
final class WorkspaceServiceImpl implements WorkspaceService {

  /** A service body that may refuse its input before doing anything asynchronous. */
  private interface Body {
    Future<JsonObject> run() throws ServiceException;
  }

  private final Orgs orgs;
  private final Projects projects;
  private final Threads threads;
  private final Sessions sessions;

  WorkspaceServiceImpl(Orgs orgs, Projects projects, Threads threads, Sessions sessions) {
    this.orgs = orgs;
    this.projects = projects;
    this.threads = threads;
    this.sessions = sessions;
  }

  private static Future<JsonObject> run(String userId, Body body) {
    if (userId == null || userId.isEmpty()) {
      return Errors.unauthorized("invalid_credentials", "No user.");
    }
    return guarded(body);
  }

  /** Runs the body with validation failures and unexpected errors mapped to replies. */
  private static Future<JsonObject> guarded(Body body) {
    try {
      return body.run().recover(Errors::internal);
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Errors.internal(e);
    }
  }

  private static JsonObject req(JsonObject request) {
    return request == null ? new JsonObject() : request;
  }

  @Override
  public Future<JsonObject> listOrgs(String userId, JsonObject request) {
    return run(userId, () -> orgs.list(userId, req(request)));
  }

  @Override
  public Future<JsonObject> createOrg(String userId, JsonObject request) {
    return run(userId, () -> orgs.create(userId, req(request)));
  }

  @Override
  public Future<JsonObject> getOrg(String userId, JsonObject request) {
    return run(userId, () -> orgs.get(userId, req(request)));
  }

  @Override
  public Future<JsonObject> updateOrg(String userId, JsonObject request) {
    return run(userId, () -> orgs.update(userId, req(request)));
  }

  @Override
  public Future<JsonObject> deleteOrg(String userId, JsonObject request) {
    return run(userId, () -> orgs.delete(userId, req(request)));
  }

  @Override
  public Future<JsonObject> listMembers(String userId, JsonObject request) {
    return run(userId, () -> orgs.members(userId, req(request)));
  }

  @Override
  public Future<JsonObject> updateMember(String userId, JsonObject request) {
    return run(userId, () -> orgs.updateMember(userId, req(request)));
  }

  @Override
  public Future<JsonObject> removeMember(String userId, JsonObject request) {
    return run(userId, () -> orgs.removeMember(userId, req(request)));
  }

  @Override
  public Future<JsonObject> inviteMember(String userId, JsonObject request) {
    return run(userId, () -> orgs.invite(userId, req(request)));
  }

  @Override
  public Future<JsonObject> listInvites(String userId, JsonObject request) {
    return run(userId, () -> orgs.invites(userId, req(request)));
  }

  @Override
  public Future<JsonObject> deleteInvite(String userId, JsonObject request) {
    return run(userId, () -> orgs.deleteInvite(userId, req(request)));
  }

  @Override
  public Future<JsonObject> acceptInvite(String userId, JsonObject request) {
    return run(userId, () -> orgs.accept(userId, req(request)));
  }

  @Override
  public Future<JsonObject> listAudit(String userId, JsonObject request) {
    return run(userId, () -> orgs.audit(userId, req(request)));
  }

  @Override
  public Future<JsonObject> getMembership(String orgId, String userId) {
    return run(userId, () -> orgs.membership(orgId, userId));
  }

  @Override
  public Future<JsonObject> orgExists(String orgId) {
    // asked by services (billing's operator endpoints), not on behalf of a signed-in user
    return guarded(() -> orgs.exists(orgId));
  }

  @Override
  public Future<JsonObject> listProjects(String userId, JsonObject request) {
    return run(userId, () -> projects.list(userId, req(request)));
  }

  @Override
  public Future<JsonObject> createProject(String userId, JsonObject request) {
    return run(userId, () -> projects.create(userId, req(request)));
  }

  @Override
  public Future<JsonObject> getProject(String userId, JsonObject request) {
    return run(userId, () -> projects.get(userId, req(request)));
  }

  @Override
  public Future<JsonObject> listThreads(String userId, JsonObject request) {
    return run(userId, () -> threads.list(userId, req(request)));
  }

  @Override
  public Future<JsonObject> createThread(String userId, JsonObject request) {
    return run(userId, () -> threads.create(userId, req(request)));
  }

  @Override
  public Future<JsonObject> getThread(String userId, JsonObject request) {
    return run(userId, () -> threads.get(userId, req(request)));
  }

  @Override
  public Future<JsonObject> updateThread(String userId, JsonObject request) {
    return run(userId, () -> threads.update(userId, req(request)));
  }

  @Override
  public Future<JsonObject> addRelation(String userId, JsonObject request) {
    return run(userId, () -> threads.addRelation(userId, req(request)));
  }

  @Override
  public Future<JsonObject> listRelations(String userId, JsonObject request) {
    return run(userId, () -> threads.relations(userId, req(request)));
  }

  @Override
  public Future<JsonObject> listContexts(String userId, JsonObject request) {
    return run(userId, () -> threads.contexts(userId, req(request)));
  }

  @Override
  public Future<JsonObject> addContext(String userId, JsonObject request) {
    return run(userId, () -> threads.addContext(userId, req(request)));
  }

  @Override
  public Future<JsonObject> listSessions(String userId, JsonObject request) {
    return run(userId, () -> sessions.list(userId, req(request)));
  }

  @Override
  public Future<JsonObject> createSession(String userId, JsonObject request) {
    return run(userId, () -> sessions.create(userId, req(request)));
  }

  @Override
  public Future<JsonObject> getSession(String userId, JsonObject request) {
    return run(userId, () -> sessions.get(userId, req(request)));
  }

  @Override
  public Future<JsonObject> activeThreadSession(String userId, String threadId, JsonObject options) {
    return run(userId, () -> sessions.activeForThread(userId, threadId, options));
  }

  @Override
  public Future<JsonObject> appendMessages(String userId, String sessionId, JsonArray messages) {
    return run(userId, () -> sessions.append(userId, sessionId, messages));
  }

  @Override
  public Future<JsonObject> sessionHistory(String userId, String sessionId, int limit) {
    return run(userId, () -> sessions.history(userId, sessionId, limit));
  }

  @Override
  public Future<JsonObject> threadChatContext(String userId, String threadId, String contextId) {
    return run(userId, () -> threads.chatContext(userId, threadId, contextId));
  }

  @Override
  public Future<JsonObject> sessionWindow(String userId, String sessionId, JsonObject request) {
    return run(userId, () -> sessions.window(userId, sessionId, request));
  }

  @Override
  public Future<JsonObject> claimRotation(String userId, String sessionId) {
    return run(userId, () -> sessions.claimRotation(userId, sessionId));
  }

  @Override
  public Future<JsonObject> rotationFailed(String userId, String sessionId, JsonObject request) {
    return run(userId, () -> sessions.rotationFailed(userId, sessionId, request));
  }

  @Override
  public Future<JsonObject> archiveSession(String userId, String sessionId, JsonObject request) {
    return run(userId, () -> sessions.archive(userId, sessionId, request));
  }
}
