package dev.chrysalis.forge.http;

import dev.chrysalis.forge.workspace.WorkspaceService;

import static dev.chrysalis.forge.http.WorkspaceRequests.NO_PATH;
import static dev.chrysalis.forge.http.WorkspaceRequests.of;
import static dev.chrysalis.forge.http.WorkspaceRequests.path;

/** Handlers of the {@code sessions} tag (internal plumbing kept for compatibility). */
final class SessionRoutes {

  private final WorkspaceService workspace;

  SessionRoutes(WorkspaceService workspace) {
    this.workspace = workspace;
  }

  void mount(Routes routes) {
    routes.authed("listSessions", ctx -> Routes.respond(ctx, 200,
      workspace.listSessions(Routes.userId(ctx), of(ctx, NO_PATH, "limit", "after"))));
    routes.authed("createSession", ctx -> Routes.respond(ctx, 201,
      workspace.createSession(Routes.userId(ctx), of(ctx, NO_PATH))));
    routes.authed("getSession", ctx -> Routes.respond(ctx, 200,
      workspace.getSession(Routes.userId(ctx), of(ctx, path("id", "session_id")))));
  }
}
