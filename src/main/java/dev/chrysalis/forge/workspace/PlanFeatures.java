package dev.chrysalis.forge.workspace;

import io.vertx.core.Future;

/**
 * Plan features a workspace write needs. The workspace does not own plans (billing does); it asks
 * this once it has decided where the object lands, so every way into an org (body {@code org_id},
 * the project, the parent thread, the thread continued) meets the same gate.
 */
public interface PlanFeatures {

  /** Threads and projects stored in an org need the org plan's {@code shared_threads}. */
  String SHARED_THREADS = "shared_threads";

  /** Succeeds when the plan of {@code orgId} (as seen by the user) has the feature, else fails 402 {@code feature_not_available}. */
  Future<Void> require(String userId, String orgId, String feature);
}
