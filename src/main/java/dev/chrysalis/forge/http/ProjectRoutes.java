package dev.chrysalis.forge.http;

import dev.chrysalis.forge.workspace.WorkspaceService;

import static dev.chrysalis.forge.http.WorkspaceRequests.NO_PATH;
import static dev.chrysalis.forge.http.WorkspaceRequests.of;
import static dev.chrysalis.forge.http.WorkspaceRequests.path;

/** Handlers of the {@code projects} tag. */
final class ProjectRoutes {

  private final WorkspaceService workspace;

  ProjectRoutes(WorkspaceService workspace) {
    this.workspace = workspace;
  }

  void mount(Routes routes) {
    routes.authed("listProjects", ctx -> Routes.respond(ctx, 200,
      workspace.listProjects(Routes.userId(ctx), of(ctx, NO_PATH, "org_id", "limit", "after"))));
    routes.authed("createProject", ctx -> {
      Routes.respond(ctx, 201, workspace.createProject(Routes.userId(ctx), of(ctx, NO_PATH)));
    });
    routes.authed("getProject", ctx -> Routes.respond(ctx, 200,
      workspace.getProject(Routes.userId(ctx), of(ctx, path("id", "project_id")))));
  }
}
