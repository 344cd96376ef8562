package dev.chrysalis.forge.vault;

import io.vertx.core.Future;

/**
 * Who may use and manage an organization's keys. The vault does not own membership (the workspace
 * package does); it only asks this.
 */
public interface OrgMembership {

  /** The user's role in the org: owner, admin, member or reader; null when not a member (or no such org). */
  Future<String> roleOf(String userId, String orgId);

  static boolean isAdmin(String role) {
    return "owner".equals(role) || "admin".equals(role);
  }
}
