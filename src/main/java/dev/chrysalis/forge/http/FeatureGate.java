package dev.chrysalis.forge.http;

import dev.chrysalis.forge.billing.BillingService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Plan features checked before a workspace write that needs them (402 feature_not_available). */
final class FeatureGate {

  private FeatureGate() {
  }

  /** Threads and projects shared with an org need the org plan's shared_threads; personal ones need nothing. */
  static Future<JsonObject> sharedInOrg(BillingService billing, String userId, String orgId) {
    return orgId == null
      ? Future.succeededFuture(new JsonObject())
      : billing.requireFeature(userId, orgId, "shared_threads");
  }
}
