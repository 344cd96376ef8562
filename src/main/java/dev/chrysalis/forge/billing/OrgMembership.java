package dev.chrysalis.forge.billing;

import io.vertx.core.Future;

/**
 * Whether a user belongs to an org, and with which role, and whether an org exists. Billing only
 * trusts an org id a caller passes after asking this; the workspace package owns orgs and memberships.
 */
public interface OrgMembership {

  /** The user's role in the org ({@code owner}, {@code admin}, {@code member}, …), or null when not a member. */
  Future<String> roleOf(String orgId, String userId);

  /** Whether the org exists at all (operators assign plans to org ids). */
  Future<Boolean> orgExists(String orgId);
}
