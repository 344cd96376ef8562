package dev.chrysalis.forge.http;

import dev.chrysalis.forge.workspace.WorkspaceService;

import static dev.chrysalis.forge.http.WorkspaceRequests.NO_PATH;
import static dev.chrysalis.forge.http.WorkspaceRequests.of;
import static dev.chrysalis.forge.http.WorkspaceRequests.path;

/** Handlers of the {@code threads} tag: threads, relations, contexts. */
final class ThreadRoutes {

  private final WorkspaceService workspace;

  ThreadRoutes(WorkspaceService workspace) {
    this.workspace = workspace;
  }

  void mount(Routes routes) {
    String[] thread = path("id", "thread_id");
    routes.authed("listThreads", ctx -> Routes.respond(ctx, 200,
      workspace.listThreads(Routes.userId(ctx), of(ctx, NO_PATH, "project_id", "status", "limit", "after"))));
    routes.authed("createThread", ctx -> {
      Routes.respond(ctx, 201, workspace.createThread(Routes.userId(ctx), of(ctx, NO_PATH)));
    });
    routes.authed("getThread", ctx -> Routes.respond(ctx, 200, workspace.getThread(Routes.userId(ctx), of(ctx, thread))));
    routes.authed("updateThread", ctx -> Routes.respond(ctx, 200,
      workspace.updateThread(Routes.userId(ctx), of(ctx, thread))));
    routes.authed("addThreadRelation", ctx -> Routes.respond(ctx, 201,
      workspace.addRelation(Routes.userId(ctx), of(ctx, thread))));
    routes.authed("listThreadRelations", ctx -> Routes.respond(ctx, 200,
      workspace.listRelations(Routes.userId(ctx), of(ctx, thread, "kind", "limit", "after"))));
    routes.authed("listThreadContexts", ctx -> Routes.respond(ctx, 200,
      workspace.listContexts(Routes.userId(ctx), of(ctx, thread, "limit", "after"))));
    routes.authed("addThreadContext", ctx -> Routes.respond(ctx, 201,
      workspace.addContext(Routes.userId(ctx), of(ctx, thread))));
  }
}
