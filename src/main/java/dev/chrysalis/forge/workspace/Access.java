package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What a caller may do with one thread or project. A resource of an org follows the caller's
 * role there; a personal one belongs to its owner alone. What the caller cannot see answers 404
 * (so other tenants' ids never leak); what it can see but not change answers 403.
 */
record Access(JsonObject resource, boolean visible, boolean writable) {

  static final Access NONE = new Access(null, false, false);

  static Access of(JsonObject resource, String ownerId, String callerId, String callerRole) {
    if (resource == null) {
      return NONE;
    }
    if (resource.getString("org_id") == null) {
      boolean mine = callerId.equals(ownerId);
      return new Access(resource, mine, mine);
    }
    Role role = Role.of(callerRole);
    return new Access(resource, role != null, role != null && role.canWrite());
  }

  Future<JsonObject> readable(String what) {
    return visible ? Future.succeededFuture(resource) : Errors.notFound(what + " not found.");
  }

  Future<JsonObject> writable(String what) {
    if (!visible) {
      return Errors.notFound(what + " not found.");
    }
    return writable ? Future.succeededFuture(resource)
      : Errors.forbidden("read_only", "Your role in this organization can read but not change this " + what.toLowerCase() + ".");
  }
}
