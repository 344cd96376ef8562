package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.auth.EmailTokens;
import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.mail.MailVerticle;
import dev.chrysalis.forge.text.EmailAddress;
import dev.chrysalis.forge.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Organizations, their members, invites and audit log: the rules; SQL lives in {@link OrgStore}. */
final class Orgs {

  private static final Logger LOG = LoggerFactory.getLogger(Orgs.class);

  private final Vertx vertx;
  private final OrgStore store;
  private final AuditStore audit;
  private final AuthService auth;
  private final WorkspaceConfig config;

  Orgs(Vertx vertx, OrgStore store, AuditStore audit, AuthService auth, WorkspaceConfig config) {
    this.vertx = vertx;
    this.store = store;
    this.audit = audit;
    this.auth = auth;
    this.config = config;
  }

  Future<JsonObject> list(String userId, JsonObject r) throws ServiceException {
    return store.listOrgs(userId, Page.from(r));
  }

  Future<JsonObject> create(String userId, JsonObject r) throws ServiceException {
    String name = Input.requiredLine(r, "name", 100);
    String slug = Input.requiredLine(r, "slug", 64);
    if (!Input.SLUG.matcher(slug).matches()) {
      return Errors.badRequest("invalid_slug", "slug must be 1-64 characters of a-z, 0-9 and '-'.", "slug");
    }
    JsonObject settings = Input.object(r, "settings");
    String id = Ids.next("org");
    return store.pool().withTransaction(c -> store.insertOrg(c, id, name, slug, userId, settings == null ? new JsonObject() : settings)
        .compose(v -> store.insertMember(c, id, userId, Role.OWNER)))
      .recover(t -> Errors.isUniqueViolation(t)
        ? Errors.conflict("slug_taken", "An organization with this slug already exists.")
        : Future.failedFuture(t))
      .compose(v -> store.orgForMember(store.pool(), id, userId))
      .onSuccess(org -> AuditEvent.publish(vertx, "org.created", userId, id, Input.auditContext(r, id),
        new JsonObject().put("slug", slug)));
  }

  Future<JsonObject> get(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    return store.orgForMember(store.pool(), orgId, userId)
      .compose(org -> org == null ? Future.failedFuture(Errors.orgNotFound()) : Future.succeededFuture(org));
  }

  Future<JsonObject> update(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    String name = Input.line(r, "name", 100);
    JsonObject settings = Input.object(r, "settings");
    return requireRole(orgId, userId, Role::canAdmin, "admin")
      .compose(role -> store.updateOrg(orgId, name, settings))
      .compose(v -> store.orgForMember(store.pool(), orgId, userId));
  }

  Future<JsonObject> delete(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    return store.pool().withTransaction(c -> store.lockAndRole(c, orgId, userId).compose(role -> {
      if (role == null) {
        return Future.failedFuture(Errors.orgNotFound());
      }
      if (role != Role.OWNER) {
        return Errors.forbidden("owner_required", "Only an owner can delete the organization.");
      }
      return store.deleteOrg(c, orgId);
    })).map(v -> {
      AuditEvent.publish(vertx, "org.deleted", userId, orgId, Input.auditContext(r, orgId), null);
      return new JsonObject().put("deleted", true).put("id", orgId);
    });
  }

  // ---- members ----

  Future<JsonObject> members(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    Page page = Page.from(r);
    return requireRole(orgId, userId, role -> true, "member").compose(role -> store.listMembers(orgId, page));
  }

  Future<JsonObject> updateMember(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    String memberId = Input.requiredId(r, "user_id");
    Role newRole = Input.role(r, "role", null);
    if (newRole == null) {
      return Errors.badRequest("missing_parameter", "'role' is required.", "role");
    }
    return store.pool().withTransaction(c -> store.lockAndRole(c, orgId, userId).compose(caller -> {
      if (caller == null) {
        return Future.failedFuture(Errors.orgNotFound());
      }
      if (!caller.canAdmin()) {
        return Errors.forbidden("admin_required", "Only owners and admins can change roles.");
      }
      return store.roleOf(c, orgId, memberId).compose(current -> {
        if (current == null) {
          return Errors.notFound("Member not found.");
        }
        if ((newRole == Role.OWNER || current == Role.OWNER) && caller != Role.OWNER) {
          return Errors.forbidden("owner_required", "Only an owner can grant or take away ownership.");
        }
        if (current == newRole) {
          return Future.succeededFuture(current);
        }
        Future<Void> lastOwnerCheck = current == Role.OWNER
          ? store.ownerCount(c, orgId).compose(n -> n <= 1
            ? Errors.conflict("last_owner", "The last owner cannot be demoted; make someone else owner first.")
            : Future.succeededFuture())
          : Future.succeededFuture();
        return lastOwnerCheck.compose(v -> store.setRole(c, orgId, memberId, newRole)).map(v -> current);
      });
    })).map(previous -> {
      if (previous != newRole) {
        AuditEvent.publish(vertx, "member.role_changed", userId, memberId, Input.auditContext(r, orgId),
          new JsonObject().put("from", previous.wire()).put("to", newRole.wire()));
      }
      return new JsonObject().put("org_id", orgId).put("user_id", memberId).put("role", newRole.wire());
    });
  }

  Future<JsonObject> removeMember(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    String memberId = Input.requiredId(r, "user_id");
    boolean leaving = userId.equals(memberId);
    return store.pool().withTransaction(c -> store.lockAndRole(c, orgId, userId).compose(caller -> {
      if (caller == null) {
        return Future.failedFuture(Errors.orgNotFound());
      }
      if (!leaving && !caller.canAdmin()) {
        return Errors.forbidden("admin_required", "Only owners and admins can remove other members.");
      }
      return store.roleOf(c, orgId, memberId).compose(target -> {
        if (target == null) {
          return Errors.notFound("Member not found.");
        }
        if (target == Role.OWNER && !leaving && caller != Role.OWNER) {
          return Errors.forbidden("owner_required", "Only an owner can remove an owner.");
        }
        Future<Void> lastOwnerCheck = target == Role.OWNER
          ? store.ownerCount(c, orgId).compose(n -> n <= 1
            ? Errors.conflict("last_owner", "The last owner cannot leave or be removed; make someone else owner first.")
            : Future.succeededFuture())
          : Future.succeededFuture();
        return lastOwnerCheck.compose(v -> store.deleteMember(c, orgId, memberId)).map(v -> target);
      });
    })).map(role -> {
      AuditEvent.publish(vertx, "member.removed", userId, memberId, Input.auditContext(r, orgId),
        new JsonObject().put("role", role.wire()).put("left", leaving));
      return new JsonObject().put("removed", true).put("org_id", orgId).put("user_id", memberId);
    });
  }

  // ---- invites ----

  /**
   * Every invite, to an address with an account or without, is stored pending and mailed with a
   * secret; nobody joins until the owner of the address accepts with it. The answer is the same
   * whether the address has an account or not, so an admin cannot probe who is registered.
   */
  Future<JsonObject> invite(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    String email = EmailAddress.normalize(Input.requiredLine(r, "email", 254));
    if (email == null) {
      return Errors.badRequest("invalid_email", "email is not a valid address.", "email");
    }
    Role role = Input.role(r, "role", Role.MEMBER);
    return requireRole(orgId, userId, Role::canAdmin, "admin").compose(caller -> {
      if (role == Role.OWNER && caller != Role.OWNER) {
        return Errors.forbidden("owner_required", "Only an owner can invite an owner.");
      }
      return storeInvite(userId, orgId, email, role, r);
    });
  }

  private Future<JsonObject> storeInvite(String userId, String orgId, String email, Role role, JsonObject r) {
    OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(config.inviteTtlSeconds());
    String token = EmailTokens.generate();
    return store.upsertInvite(Ids.next("inv"), orgId, email, role, userId, expires, EmailTokens.hash(token))
      .compose(inviteId -> store.orgForMember(store.pool(), orgId, userId)
        .compose(org -> mailInvite(email, inviteId, token, org.getString("name"), role, expires))
        .map(v -> {
          AuditEvent.publish(vertx, "invite.sent", userId, email, Input.auditContext(r, orgId),
            new JsonObject().put("invite_id", inviteId).put("role", role.wire()));
          return new JsonObject().put("status", "invited").put("email", email).put("invite_id", inviteId)
            .put("role", role.wire()).put("expires_at", expires.toInstant().toString());
        }));
  }

  private Future<Void> mailInvite(String email, String inviteId, String token, String orgName, Role role,
                                  OffsetDateTime expires) {
    String link = config.publicUrl() + "/#/invite/" + inviteId + "?token=" + token;
    String body = "You are invited to join the organization \"" + orgName + "\" on Chrysalis Forge as "
      + role.wire() + ".\n\n" + link + "\n\n"
      + "Or, signed in with this address verified: POST /invites/" + inviteId + "/accept {\"token\": \"" + token + "\"}\n"
      + "The invite expires at " + expires.toInstant() + ". If you do not know this organization, ignore this mail.\n";
    return vertx.eventBus().request(MailVerticle.SEND_ADDRESS, new JsonObject().put("to", email)
      .put("subject", "Invitation to join " + orgName + " on Chrysalis Forge").put("body", body)).mapEmpty();
  }

  Future<JsonObject> invites(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    Page page = Page.from(r);
    return requireRole(orgId, userId, Role::canAdmin, "admin").compose(role -> store.listInvites(orgId, page));
  }

  Future<JsonObject> deleteInvite(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    String inviteId = Input.requiredId(r, "invite_id");
    return requireRole(orgId, userId, Role::canAdmin, "admin")
      .compose(role -> store.deleteInvite(orgId, inviteId))
      .compose(deleted -> {
        if (!deleted) {
          return Errors.notFound("Invite not found.");
        }
        AuditEvent.publish(vertx, "invite.revoked", userId, inviteId, Input.auditContext(r, orgId), null);
        return Future.succeededFuture(new JsonObject().put("deleted", true).put("id", inviteId));
      });
  }

  /**
   * An invite is accepted by a signed-in account whose verified email is the invited one, with the
   * secret from the invite mail. A wrong secret, or any other account, gets 404, as an unknown id;
   * the invited account gets 403 until its address is verified.
   */
  Future<JsonObject> accept(String userId, JsonObject r) throws ServiceException {
    String inviteId = Input.requiredId(r, "invite_id");
    String token = Input.requiredLine(r, "token", 128);
    return auth.getUser(userId).compose(user -> accept(userId, user.getString("email"),
      Boolean.TRUE.equals(user.getBoolean("email_verified")), inviteId, token, r));
  }

  private Future<JsonObject> accept(String userId, String email, boolean verified, String inviteId, String token,
                                    JsonObject r) {
    // locks in the order deleteOrg takes them (org, then its invites), so the two cannot deadlock
    return store.pool().withTransaction(c -> store.pendingInvite(c, inviteId, false)
      .compose(seen -> seen == null ? Future.succeededFuture(null)
        : store.lockAndRole(c, seen.getString("org_id"), userId).compose(v -> store.pendingInvite(c, inviteId, true)))
      .compose(invite -> {
        if (invite == null || !invite.getString("email").equalsIgnoreCase(email)
          || !EmailTokens.matches(token, invite.getString("token_hash"))) {
          return Errors.notFound("Invite not found.");
        }
        if (!verified) {
          return Errors.<JsonObject>forbidden("email_not_verified",
            "Verify your email address before accepting an invite: follow the link in the verification mail.");
        }
        if ("expired".equals(invite.getString("status"))) {
          return Errors.<JsonObject>conflict("invite_expired", "This invite has expired; ask for a new one.");
        }
        String orgId = invite.getString("org_id");
        Role role = Role.of(invite.getString("role"));
        return store.insertMember(c, orgId, userId, role)
          .compose(added -> store.markAccepted(c, inviteId, userId).map(v -> new JsonObject()
            .put("status", "accepted").put("org_id", orgId).put("invite_id", inviteId)
            .put("role", added ? role.wire() : null).put("added", added)));
      })).compose(result -> {
      String orgId = result.getString("org_id");
      boolean added = result.getBoolean("added");
      result.remove("added");
      AuditEvent.publish(vertx, "invite.accepted", userId, inviteId, Input.auditContext(r, orgId), null);
      if (added) {
        AuditEvent.publish(vertx, "member.added", userId, userId, Input.auditContext(r, orgId),
          new JsonObject().put("role", result.getString("role")).put("via", "invite"));
        return Future.succeededFuture(result);
      }
      return store.roleOf(store.pool(), orgId, userId).map(role -> result.put("role", role == null ? null : role.wire()));
    });
  }

  Future<JsonObject> audit(String userId, JsonObject r) throws ServiceException {
    String orgId = Input.requiredId(r, "org_id");
    String action = Input.line(r, "action", 100);
    Page page = Page.from(r);
    return requireRole(orgId, userId, Role::canAdmin, "admin").compose(role -> audit.listForOrg(orgId, action, page));
  }

  /** {org_id, exists}: for operators and other services, not tied to a caller's membership. */
  Future<JsonObject> exists(String orgId) throws ServiceException {
    Input.requiredId(new JsonObject().put("org_id", orgId), "org_id");
    return store.exists(orgId).map(found -> new JsonObject().put("org_id", orgId).put("exists", found));
  }

  Future<JsonObject> membership(String orgId, String userId) throws ServiceException {
    Input.requiredId(new JsonObject().put("org_id", orgId), "org_id");
    return requireRole(orgId, userId, role -> true, "member")
      .map(role -> new JsonObject().put("org_id", orgId).put("user_id", userId).put("role", role.wire()));
  }

  /** The caller's role when it passes {@code allowed}; 404 for a non-member, 403 for too small a role. */
  Future<Role> requireRole(String orgId, String userId, java.util.function.Predicate<Role> allowed, String needed) {
    return store.roleOf(store.pool(), orgId, userId).compose(role -> {
      if (role == null) {
        return Future.failedFuture(Errors.orgNotFound());
      }
      if (!allowed.test(role)) {
        return Errors.forbidden(needed + "_required", "This needs the " + needed + " role in the organization.");
      }
      return Future.succeededFuture(role);
    });
  }
}
