package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.errors.Errors;
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
      .compose(org -> org == null ? Errors.notFound("Organization not found.") : Future.succeededFuture(org));
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
        return Errors.notFound("Organization not found.");
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
        return Errors.notFound("Organization not found.");
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
        return Errors.notFound("Organization not found.");
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
      return auth.findUserByEmail(email)
        .map(user -> user.getString("id"))
        .recover(t -> t instanceof ServiceException se && se.failureCode() == 404
          ? Future.succeededFuture(null) : Future.failedFuture(t))
        .compose(existing -> existing != null ? addExisting(userId, orgId, existing, role, r)
          : storeInvite(userId, orgId, email, role, r));
    });
  }

  private Future<JsonObject> addExisting(String userId, String orgId, String memberId, Role role, JsonObject r) {
    // the caller's role is checked again under the org lock: it may have changed since the first check
    return store.pool().withTransaction(c -> store.lockAndRole(c, orgId, userId)
        .compose(caller -> caller == null ? Errors.<Boolean>notFound("Organization not found.")
          : !caller.canAdmin() || (role == Role.OWNER && caller != Role.OWNER)
          ? Errors.<Boolean>forbidden("admin_required", "This needs the admin role in the organization.")
          : store.insertMember(c, orgId, memberId, role)))
      .compose(added -> {
        if (!added) {
          return Errors.conflict("already_member", "This user is already a member of the organization.");
        }
        AuditEvent.publish(vertx, "member.added", userId, memberId, Input.auditContext(r, orgId),
          new JsonObject().put("role", role.wire()).put("via", "invite"));
        return Future.succeededFuture(new JsonObject().put("status", "added").put("user_id", memberId).put("role", role.wire()));
      });
  }

  private Future<JsonObject> storeInvite(String userId, String orgId, String email, Role role, JsonObject r) {
    OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(config.inviteTtlSeconds());
    return store.upsertInvite(Ids.next("inv"), orgId, email, role, userId, expires).map(inviteId -> {
      AuditEvent.publish(vertx, "invite.sent", userId, email, Input.auditContext(r, orgId),
        new JsonObject().put("invite_id", inviteId).put("role", role.wire()));
      return new JsonObject().put("status", "invited").put("email", email).put("invite_id", inviteId)
        .put("role", role.wire()).put("expires_at", expires.toInstant().toString());
    });
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

  /** An invite is only visible to the account of the address it was sent to: anyone else gets 404. */
  Future<JsonObject> accept(String userId, JsonObject r) throws ServiceException {
    String inviteId = Input.requiredId(r, "invite_id");
    return auth.getUser(userId).compose(user -> accept(userId, user.getString("email"), inviteId, r));
  }

  private Future<JsonObject> accept(String userId, String email, String inviteId, JsonObject r) {
    // locks in the order deleteOrg takes them (org, then its invites), so the two cannot deadlock
    return store.pool().withTransaction(c -> store.pendingInvite(c, inviteId, false)
      .compose(seen -> seen == null ? Future.succeededFuture(null)
        : store.lockAndRole(c, seen.getString("org_id"), userId).compose(v -> store.pendingInvite(c, inviteId, true)))
      .compose(invite -> {
        if (invite == null || !invite.getString("email").equalsIgnoreCase(email)) {
          return Errors.notFound("Invite not found.");
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

  /** A new account joins every org that invited its email and whose invite has not expired. */
  Future<Void> acceptOnRegistration(String userId, String email) {
    String normalized = EmailAddress.normalize(email);
    if (normalized == null) {
      return Future.succeededFuture();
    }
    return store.liveInviteIdsFor(normalized).compose(ids -> {
      List<Future<JsonObject>> all = new ArrayList<>();
      for (String id : ids) {
        all.add(accept(userId, normalized, id, new JsonObject())
          .onFailure(t -> LOG.warn("invite {} not accepted on registration: {}", id, t.getMessage())));
      }
      return Future.join(all).mapEmpty();
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
        return Errors.notFound("Organization not found.");
      }
      if (!allowed.test(role)) {
        return Errors.forbidden(needed + "_required", "This needs the " + needed + " role in the organization.");
      }
      return Future.succeededFuture(role);
    });
  }
}
