package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.limits.ObjectCaps;
import dev.chrysalis.forge.limits.PlanLimits;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.SqlClient;

import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** Threads, their relations and context trees: the rules; SQL lives in {@link ThreadStore}. */
final class Threads {

  static final Set<String> STATUSES = Set.of("active", "paused", "done", "archived");
  static final Set<String> RELATIONS = Set.of("continues_from", "child_of", "relates_to");
  static final Set<String> KINDS = Set.of("note", "task", "area", "file_group", "plan");

  private final ThreadStore store;
  private final ProjectStore projects;
  private final Orgs orgs;
  private final WorkspaceConfig config;
  private final PlanFeatures features;

  private final ObjectCaps caps;

  Threads(ThreadStore store, ProjectStore projects, Orgs orgs, WorkspaceConfig config, PlanFeatures features,
          ObjectCaps caps) {
    this.caps = caps;
    this.store = store;
    this.projects = projects;
    this.orgs = orgs;
    this.config = config;
    this.features = features;
  }

  Future<JsonObject> list(String userId, JsonObject r) throws ServiceException {
    String projectId = Input.id(r, "project_id");
    String status = Input.oneOf(r, "status", STATUSES);
    return store.list(userId, projectId, status, Page.from(r));
  }

  Future<Access> access(String threadId, String userId) {
    return store.access(store.pool(), threadId, userId);
  }

  Future<JsonObject> create(String userId, JsonObject r) throws ServiceException {
    String title = Input.line(r, "title", 200);
    String orgId = Input.id(r, "org_id");
    String projectId = Input.id(r, "project_id");
    String parentId = Input.id(r, "parent_thread_id");
    String sourceId = Input.id(r, "continues_from");
    Future<Access> project = projectId == null ? Future.succeededFuture(null) : projects.access(projectId, userId);
    Future<Access> parent = parentId == null ? Future.succeededFuture(null) : access(parentId, userId);
    Future<Access> source = sourceId == null ? Future.succeededFuture(null) : access(sourceId, userId);
    return Future.all(project, parent, source).compose(all -> {
      JsonObject p = project.result() == null ? null : visible(project.result());
      JsonObject par = parent.result() == null ? null : visible(parent.result());
      JsonObject src = source.result() == null ? null : visible(source.result());
      if (projectId != null && p == null) {
        return notFound("Project", "project_id");
      }
      if (parentId != null && par == null) {
        return notFound("Parent thread", "parent_thread_id");
      }
      if (sourceId != null && src == null) {
        return notFound("Thread to continue", "continues_from");
      }
      if (orgId != null && p != null && !orgId.equals(p.getString("org_id"))) {
        return Errors.badRequest("project_org_mismatch", "The project does not belong to this organization.", "project_id");
      }
      String org = firstNonNull(orgId, p == null ? null : p.getString("org_id"),
        p != null ? null : src == null ? null : src.getString("org_id"),
        p != null || src != null ? null : par == null ? null : par.getString("org_id"));
      if (p != null && org == null && !project.result().writable()) {
        return Errors.forbidden("read_only", "You cannot add threads to this project.");
      }
      // the org is decided above from whichever input placed the thread there; members only learn the plan answer
      Future<?> orgCheck = org == null ? Future.succeededFuture() : orgs.requireRole(org, userId, Role::canWrite, "write")
        .compose(v -> features.require(userId, org, PlanFeatures.SHARED_THREADS));
      Future<String> inheritedProject = p != null || src == null || src.getString("project_id") == null
        ? Future.succeededFuture(p == null ? null : p.getString("id"))
        : projects.access(src.getString("project_id"), userId).map(a -> sameHome(a, org, userId) ? a.resource().getString("id") : null);
      Future<Integer> cap = orgCheck.compose(v -> caps.cap(userId, org, PlanLimits.Kind.THREADS));
      return cap.compose(v -> inheritedProject).compose(resolvedProject -> {
        JsonObject thread = new JsonObject().put("id", "T-" + UUID.randomUUID()).put("user_id", userId)
          .put("org_id", org).put("project_id", resolvedProject).put("title", title)
          .put("summary", src == null ? null : src.getString("summary"));
        String id = thread.getString("id");
        int max = cap.result();
        return store.pool().withTransaction(c -> Sql.lockCap(c, "threads", userId)
            .compose(v -> max == 0 ? Future.succeededFuture(0L) : store.countOwned(c, userId))
            .compose(n -> max > 0 && n >= max
              ? Future.<Void>failedFuture(ObjectCaps.reached(PlanLimits.Kind.THREADS, max))
              : store.insert(c, thread))
            .compose(v -> parentId == null ? Future.succeededFuture() : store.insertRelation(c, id, parentId, "child_of", userId))
            .compose(v -> sourceId == null ? Future.succeededFuture() : store.insertRelation(c, id, sourceId, "continues_from", userId)))
          .compose(v -> detail(id, userId));
      });
    });
  }

  /** A project can hold the thread when it lives where the thread lives: the same org, or both the caller's own. */
  private static boolean sameHome(Access project, String org, String userId) {
    if (!project.visible()) {
      return false;
    }
    JsonObject p = project.resource();
    return org == null ? p.getString("org_id") == null && userId.equals(p.getString("owner_id"))
      : org.equals(p.getString("org_id"));
  }

  Future<JsonObject> get(String userId, JsonObject r) throws ServiceException {
    String threadId = Input.requiredId(r, "thread_id");
    return access(threadId, userId).compose(a -> a.readable("Thread")).compose(t -> detail(threadId, userId));
  }

  /**
   * The thread with its relations (each list capped) and the first page of its contexts; the
   * rest of the contexts come from {@code listContexts} with {@code contexts_next_cursor}.
   */
  private Future<JsonObject> detail(String threadId, String userId) {
    SqlClient c = store.pool();
    return store.access(c, threadId, userId).compose(a -> a.readable("Thread")).compose(thread ->
      Future.all(store.relations(c, threadId, userId, config.relationsShown()),
          store.contextPage(c, threadId, null, Page.DEFAULT_LIMIT, config.contextPageBytes()))
        .map(all -> {
          JsonObject page = all.resultAt(1);
          return thread.copy().put("relations", all.resultAt(0)).put("contexts", page.getJsonArray("data"))
            .put("contexts_has_more", page.getBoolean("has_more"))
            .put("contexts_next_cursor", page.getString("next_cursor"));
        }));
  }

  Future<JsonObject> update(String userId, JsonObject r) throws ServiceException {
    String threadId = Input.requiredId(r, "thread_id");
    String title = Input.line(r, "title", 200);
    String status = Input.oneOf(r, "status", STATUSES);
    String summary = Input.text(r, "summary", 20_000);
    return access(threadId, userId).compose(a -> a.writable("Thread"))
      .compose(t -> store.update(store.pool(), threadId, title, status, summary))
      .compose(v -> access(threadId, userId)).map(Access::resource);
  }

  /** Sets the summary of a thread the user may write (the gateway, when it archives a session). */
  Future<Void> setSummary(String userId, String threadId, String summary) {
    return access(threadId, userId).compose(a -> a.writable("Thread"))
      .compose(t -> store.update(store.pool(), threadId, null, null, summary));
  }

  Future<JsonObject> addRelation(String userId, JsonObject r) throws ServiceException {
    String from = Input.requiredId(r, "thread_id");
    String to = Input.requiredId(r, "to_thread_id");
    String type = Input.oneOf(r, "relation_type", RELATIONS);
    if (type == null) {
      return Errors.badRequest("missing_parameter", "'relation_type' is required.", "relation_type");
    }
    Future<Access> fromAccess = access(from, userId);
    Future<Access> toAccess = access(to, userId);
    return Future.all(fromAccess, toAccess).compose(all -> fromAccess.result().writable("Thread").compose(t -> {
      if (!toAccess.result().visible()) {
        return notFound("Target thread", "to_thread_id");
      }
      if (from.equals(to)) {
        return Errors.badRequest("self_relation", "A thread cannot be related to itself.", "to_thread_id");
      }
      boolean walk = !type.equals("relates_to");
      return Sql.transactionRetryingDeadlock(store.pool(), c -> store.lockAndCheckCycle(c, from, to, walk)
        .compose(closes -> store.existing(c, from, to).compose(existing -> {
          if (existing.contains(type + ":" + to)) {
            return Errors.conflict("relation_exists", "These threads are already related this way.");
          }
          if (type.equals("child_of") && existing.contains("child_of")) {
            return Errors.conflict("parent_exists", "This thread already has a parent.");
          }
          if (type.equals("continues_from") && existing.contains("continues_from")) {
            return Errors.conflict("already_continues", "This thread already continues another thread.");
          }
          return closes
            ? Errors.<Void>conflict("relation_cycle", "This relation would make a cycle of parents or continuations.")
            : store.insertRelation(c, from, to, type, userId);
        })))
        .map(v -> new JsonObject().put("from_thread_id", from).put("to_thread_id", to).put("relation_type", type));
    }));
  }

  static final Set<String> RELATION_LISTS = Set.of("children", "continued_by", "related");

  Future<JsonObject> relations(String userId, JsonObject r) throws ServiceException {
    String threadId = Input.requiredId(r, "thread_id");
    String kind = Input.oneOf(r, "kind", RELATION_LISTS);
    if (kind == null) {
      return Errors.badRequest("missing_parameter", "'kind' is required.", "kind");
    }
    Page page = Page.from(r);
    return access(threadId, userId).compose(a -> a.readable("Thread"))
      .compose(t -> store.relationPage(store.pool(), threadId, userId, kind, page.after(), page.limit()));
  }

  Future<JsonObject> contexts(String userId, JsonObject r) throws ServiceException {
    String threadId = Input.requiredId(r, "thread_id");
    Page page = Page.from(r);
    return access(threadId, userId).compose(a -> a.readable("Thread"))
      .compose(t -> store.contextPage(store.pool(), threadId, page.after(), page.limit(), config.contextPageBytes()));
  }

  /**
   * What thread chat needs of a thread: the thread, and with {@code contextId} that context's
   * title, body and the titles of its ancestors ({@code focus}); never the rest of the tree.
   * 404 {@code context_not_found} when the context is not in the thread.
   */
  Future<JsonObject> chatContext(String userId, String threadId, String contextId) throws ServiceException {
    Input.requiredId(new JsonObject().put("thread_id", threadId), "thread_id");
    if (contextId != null && (contextId.length() > 128 || !contextId.matches("[A-Za-z0-9_-]+"))) {
      return contextNotFound(contextId);
    }
    return access(threadId, userId).compose(a -> a.readable("Thread")).compose(thread -> contextId == null
      ? Future.succeededFuture(new JsonObject().put("thread", thread))
      : store.contextWithPath(store.pool(), threadId, contextId).compose(focus -> focus == null
        ? contextNotFound(contextId)
        : Future.succeededFuture(new JsonObject().put("thread", thread).put("focus", focus))));
  }

  private static <T> Future<T> contextNotFound(String contextId) {
    return Future.failedFuture(Errors.error(404, "context_not_found", "No context node "
      + (contextId.length() > 128 ? "with that id" : contextId) + " in this thread.", "context_node_id"));
  }

  Future<JsonObject> addContext(String userId, JsonObject r) throws ServiceException {
    String threadId = Input.requiredId(r, "thread_id");
    JsonObject ctx = new JsonObject()
      .put("id", dev.chrysalis.forge.store.Ids.next("ctx"))
      .put("thread_id", threadId)
      .put("parent_id", Input.id(r, "parent_id"))
      .put("title", Input.requiredLine(r, "title", 200))
      .put("kind", Objects.requireNonNullElse(Input.oneOf(r, "kind", KINDS), "note"))
      .put("body", Input.text(r, "body", 65_536))
      .put("metadata", Objects.requireNonNullElse(Input.object(r, "metadata"), new JsonObject()))
      .put("created_by", userId);
    String parentId = ctx.getString("parent_id");
    int size = sizeBytes(ctx);
    return access(threadId, userId).compose(a -> a.writable("Thread"))
      .compose(t -> store.pool().withTransaction(c -> store.lockThread(c, threadId)
        .compose(v -> store.contextUsage(c, threadId))
        .compose(usage -> {
          if (usage.count() >= config.maxContextsPerThread()) {
            return Errors.<Integer>conflict("context_limit", "This thread already has " + usage.count()
              + " contexts, the most it can hold.");
          }
          if (usage.bytes() + size > config.maxContextBytesPerThread()) {
            return Errors.<Integer>conflict("context_space_full", "This context would take the thread's contexts to "
              + (usage.bytes() + size) + " bytes; a thread holds at most " + config.maxContextBytesPerThread() + ".");
          }
          return parentId == null ? Future.succeededFuture(0) : store.depthInThread(c, parentId, threadId);
        })
        .compose(depth -> {
          if (parentId != null && depth == 0) {
            return Errors.badRequest("invalid_parent", "The parent context is not in this thread.", "parent_id");
          }
          if (depth >= config.maxContextDepth()) {
            return Errors.badRequest("context_too_deep", "Contexts nest at most " + config.maxContextDepth() + " levels.",
              "parent_id");
          }
          return store.insertContext(c, ctx, size);
        })))
      .compose(v -> store.context(store.pool(), ctx.getString("id")));
  }

  /** The bytes a context counts for: UTF-8 title, body and encoded metadata. */
  static int sizeBytes(JsonObject ctx) {
    String body = ctx.getString("body");
    return utf8(ctx.getString("title")) + (body == null ? 0 : utf8(body)) + ctx.getJsonObject("metadata").toBuffer().length();
  }

  private static int utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static JsonObject visible(Access a) {
    return a.visible() ? a.resource() : null;
  }

  private static <T> Future<T> notFound(String what, String param) {
    return Future.failedFuture(Errors.error(404, "not_found", what + " not found.", param));
  }

  private static String firstNonNull(String... values) {
    for (String v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
