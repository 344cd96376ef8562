package dev.chrysalis.forge.http;

import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.workspace.WorkspaceService;

import static dev.chrysalis.forge.http.WorkspaceRequests.NO_PATH;
import static dev.chrysalis.forge.http.WorkspaceRequests.of;
import static dev.chrysalis.forge.http.WorkspaceRequests.path;

/** Handlers of the {@code organizations} tag: orgs, members, invites, audit log. */
final class OrgRoutes {

  private final WorkspaceService workspace;
  private final BillingService billing;

  OrgRoutes(WorkspaceService workspace, BillingService billing) {
    this.workspace = workspace;
    this.billing = billing;
  }

  void mount(Routes routes) {
    String[] org = path("id", "org_id");
    routes.authed("listOrgs", ctx -> Routes.respond(ctx, 200,
      workspace.listOrgs(Routes.userId(ctx), of(ctx, NO_PATH, "limit", "after"))));
    routes.authed("createOrg", ctx -> Routes.respond(ctx, 201,
      billing.requireFeature(Routes.userId(ctx), null, "organizations")
        .compose(ok -> workspace.createOrg(Routes.userId(ctx), of(ctx, NO_PATH)))));
    routes.authed("getOrg", ctx -> Routes.respond(ctx, 200, workspace.getOrg(Routes.userId(ctx), of(ctx, org))));
    routes.authed("updateOrg", ctx -> Routes.respond(ctx, 200, workspace.updateOrg(Routes.userId(ctx), of(ctx, org))));
    routes.authed("deleteOrg", ctx -> Routes.respond(ctx, 200, workspace.deleteOrg(Routes.userId(ctx), of(ctx, org))));

    routes.authed("listOrgMembers", ctx -> Routes.respond(ctx, 200,
      workspace.listMembers(Routes.userId(ctx), of(ctx, org, "limit", "after"))));
    routes.authed("updateOrgMember", ctx -> Routes.respond(ctx, 200,
      workspace.updateMember(Routes.userId(ctx), of(ctx, path("id", "org_id", "user_id", "user_id")))));
    routes.authed("removeOrgMember", ctx -> Routes.respond(ctx, 200,
      workspace.removeMember(Routes.userId(ctx), of(ctx, path("id", "org_id", "user_id", "user_id")))));

    routes.authed("inviteOrgMember", ctx -> Routes.respond(ctx, 201,
      workspace.inviteMember(Routes.userId(ctx), of(ctx, org))));
    routes.authed("listOrgInvites", ctx -> Routes.respond(ctx, 200,
      workspace.listInvites(Routes.userId(ctx), of(ctx, org, "limit", "after"))));
    routes.authed("deleteOrgInvite", ctx -> Routes.respond(ctx, 200,
      workspace.deleteInvite(Routes.userId(ctx), of(ctx, path("id", "org_id", "invite_id", "invite_id")))));
    routes.authed("acceptInvite", ctx -> Routes.respond(ctx, 200,
      workspace.acceptInvite(Routes.userId(ctx), of(ctx, path("id", "invite_id")))));

    routes.authed("listOrgAudit", ctx -> Routes.respond(ctx, 200,
      billing.requireFeature(Routes.userId(ctx), Routes.pathParam(ctx, "id"), "audit_logs")
        .compose(ok -> workspace.listAudit(Routes.userId(ctx), of(ctx, org, "action", "limit", "after")))));
  }
}
