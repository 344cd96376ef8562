package dev.chrysalis.forge.http;

import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.workspace.WorkspaceService;
import io.vertx.core.json.JsonObject;

import static dev.chrysalis.forge.http.WorkspaceRequests.NO_PATH;
import static dev.chrysalis.forge.http.WorkspaceRequests.of;
import static dev.chrysalis.forge.http.WorkspaceRequests.path;

/** Handlers of the {@code projects} tag. */
final class ProjectRoutes {

  private final WorkspaceService workspace;
  private final BillingService billing;

  ProjectRoutes(WorkspaceService workspace, BillingService billing) {
    this.workspace = workspace;
    this.billing = billing;
  }

  void mount(Routes routes) {
    routes.authed("listProjects", ctx -> Routes.respond(ctx, 200,
      workspace.listProjects(Routes.userId(ctx), of(ctx, NO_PATH, "org_id", "limit", "after"))));
    routes.authed("createProject", ctx -> {
      JsonObject request = of(ctx, NO_PATH);
      Routes.respond(ctx, 201, FeatureGate.sharedInOrg(billing, Routes.userId(ctx), request.getString("org_id"))
        .compose(ok -> workspace.createProject(Routes.userId(ctx), request)));
    });
    routes.authed("getProject", ctx -> Routes.respond(ctx, 200,
      workspace.getProject(Routes.userId(ctx), of(ctx, path("id", "project_id")))));
  }
}
