package dev.chrysalis.forge.billing;

import io.vertx.core.Future;

/**
 * Whether a user belongs to an org, and with which role. Billing only trusts an org id a caller
 * passes after asking this; the workspace package owns the memberships.
 */
public interface OrgMembership {

  /** The user's role in the org ({@code owner}, {@code admin}, {@code member}, …), or null when not a member. */
  Future<String> roleOf(String orgId, String userId);
}
