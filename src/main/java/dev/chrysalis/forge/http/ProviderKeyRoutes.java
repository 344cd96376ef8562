package dev.chrysalis.forge.http;

import dev.chrysalis.forge.vault.VaultService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Handlers of the {@code provider-keys} tag: parse, call VaultService (local bus), answer. */
final class ProviderKeyRoutes {

  private final VaultService vault;

  ProviderKeyRoutes(VaultService vault) {
    this.vault = vault;
  }

  void mount(Routes routes) {
    routes.authed("listProviderKeys", ctx -> Routes.respond(ctx, 200, vault.listKeys(owner(ctx))));

    routes.authed("addProviderKey", ctx -> {
      JsonObject request = Routes.body(ctx).copy().mergeIn(Routes.requestContext(ctx))
        .put("user_id", Routes.userId(ctx));
      Routes.respond(ctx, 201, vault.addKey(request));
    });

    routes.authed("deleteProviderKey", ctx -> Routes.respond(ctx, 200,
      vault.deleteKey(owner(ctx).put("provider", Routes.pathParam(ctx, "provider")).mergeIn(Routes.requestContext(ctx)))));

    routes.authed("validateProviderKey", ctx -> Routes.respond(ctx, 200,
      vault.validateKey(owner(ctx).put("provider", Routes.pathParam(ctx, "provider")).mergeIn(Routes.requestContext(ctx)))));
  }

  private static JsonObject owner(RoutingContext ctx) {
    return new JsonObject().put("user_id", Routes.userId(ctx)).put("org_id", OrgContext.of(ctx));
  }
}
