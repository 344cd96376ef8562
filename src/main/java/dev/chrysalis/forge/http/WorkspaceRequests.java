package dev.chrysalis.forge.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Builds the one JSON request a workspace call takes: body, renamed path values, query values, request facts. */
final class WorkspaceRequests {

  private WorkspaceRequests() {
  }

  /** {@code pathAs} pairs a path parameter with the field it becomes, e.g. "id", "org_id". */
  static JsonObject of(RoutingContext ctx, String[] pathAs, String... queryNames) {
    JsonObject r = Routes.body(ctx).copy();
    for (int i = 0; i + 1 < pathAs.length; i += 2) {
      r.put(pathAs[i + 1], Routes.pathParam(ctx, pathAs[i]));
    }
    for (String q : queryNames) {
      String v = Routes.query(ctx, q);
      if (v != null) {
        r.put(q, v);
      }
    }
    return r.mergeIn(Routes.requestContext(ctx));
  }

  static String[] path(String... pairs) {
    return pairs;
  }

  static final String[] NO_PATH = {};
}
