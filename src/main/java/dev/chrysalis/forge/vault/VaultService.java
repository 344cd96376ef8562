package dev.chrysalis.forge.vault;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The provider-key vault on {@value #ADDRESS}. Registered with {@code registerLocal} and called
 * with local-only delivery: requests and replies carry plaintext keys, so they never cross a
 * clustered bus. Every node runs its own KeyVaultVerticle. Failures are {@code ServiceException}s
 * whose code is the HTTP status (see docs/event-bus.md).
 */
@ProxyGen
@VertxGen
public interface VaultService {

  String ADDRESS = "forge.vault";
  /** Published cluster-wide when a key changes: {owner_kind, owner_id, provider} or {all:true}. */
  String INVALIDATE_ADDRESS = "forge.vault.invalidate";
  /** Listened to: {org_id, user_id?} when a membership changes (nobody publishes it yet; see docs/event-bus.md). */
  String MEMBERSHIP_CHANGED_ADDRESS = "forge.events.org.membership-changed";

  static VaultService createProxy(Vertx vertx) {
    return new VaultServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(15_000).setLocalOnly(true));
  }

  /** {user_id, org_id?} → {data:[{id, provider, org_id, key_hint, base_url, created_at, validated_at, is_valid}]}. */
  Future<JsonObject> listKeys(JsonObject request);

  /** {user_id, provider, api_key, base_url?, org_id?, validate?, ip?, user_agent?, request_id?} → {status:"added", provider, hint, id}. */
  Future<JsonObject> addKey(JsonObject request);

  /** {user_id, provider, org_id?, ip?, user_agent?} → {deleted:true, provider}; 404 when there was none. */
  Future<JsonObject> deleteKey(JsonObject request);

  /** {user_id, provider, org_id?} → {valid, outcome, message, validated_at}. */
  Future<JsonObject> validateKey(JsonObject request);

  /**
   * {user_id, provider, org_id?, prefer_byok (default true)} → {provider, key, base_url,
   * base_url_user_supplied, is_byok, provider_key_id}: the user's key, else the org's, else the
   * service key; 404 org_not_found when the caller is not a member of {@code org_id}. {@code base_url_user_supplied} is true when the base came from
   * the stored key (the caller must check it at connect time), false for an operator's base.
   * 400 provider_key_missing when there is none; 422 provider_key_unusable when the stored key
   * cannot be decrypted.
   */
  Future<JsonObject> resolve(JsonObject request);

  /** {} → {current_version, rewrapped, failed:[{id, owner_kind, owner_id, provider}], versions}. For operators. */
  Future<JsonObject> rewrap(JsonObject request);
}
