package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.outbound.BaseUrlGuard;
import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.errors.Errors;
import dev.chrysalis.forge.metrics.Metrics;
import dev.chrysalis.forge.store.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import static dev.chrysalis.forge.vault.ProviderKeyStore.ORG;
import static dev.chrysalis.forge.vault.ProviderKeyStore.USER;

/**
 * The vault's rules. Runs on the KeyVaultVerticle's event loop. Resolution keeps rows
 * (ciphertext) and memberships in small caches and decrypts per call (about a microsecond), so a
 * plaintext key is never kept in memory beyond the request that needs it.
 */
final class VaultServiceImpl implements VaultService {

  private static final Logger LOG = LoggerFactory.getLogger(VaultServiceImpl.class);
  static final int MAX_KEY_LENGTH = 4096;

  private final Vertx vertx;
  private final VaultConfig config;
  private final VaultCrypto crypto;
  private final ProviderKeyStore store;
  private final OrgMembership membership;
  private final BaseUrlGuard guard;
  private final ProviderProbe probe;
  private final TtlCache<ProviderKeyStore.KeyRow> rows;
  private final TtlCache<String> roles;
  private boolean rewrapping;

  VaultServiceImpl(Vertx vertx, VaultConfig config, ProviderKeyStore store, OrgMembership membership,
                   BaseUrlGuard guard, ProviderProbe probe) {
    this.vertx = vertx;
    this.config = config;
    this.crypto = config.crypto();
    this.store = store;
    this.membership = membership;
    this.guard = guard;
    this.probe = probe;
    this.rows = new TtlCache<>(config.cacheSize(), config.cacheTtlMs());
    this.roles = new TtlCache<>(config.cacheSize(), config.membershipCacheMs());
  }

  // ---- cache invalidation (from the bus) ----

  void onInvalidate(JsonObject msg) {
    if (msg == null || msg.getBoolean("all", false)) {
      rows.clear();
      return;
    }
    rows.remove(cacheKey(msg.getString("owner_kind"), msg.getString("owner_id"), msg.getString("provider")));
  }

  void onMembershipChanged(JsonObject msg) {
    String orgId = msg == null ? null : msg.getString("org_id");
    String userId = msg == null ? null : msg.getString("user_id");
    if (orgId == null) {
      roles.clear();
    } else if (userId == null) {
      roles.removeIf(k -> k.endsWith("|" + orgId));
    } else {
      roles.remove(userId + "|" + orgId);
    }
  }

  /**
   * The workspace's audit events are the membership change feed: a member removed or given another
   * role drops the cached role at once; a deleted organization also takes its provider keys with it.
   */
  void onAudit(JsonObject event) {
    String action = event == null ? null : event.getString("action");
    String orgId = event == null ? null : event.getString("org_id");
    if (action == null || orgId == null) {
      return;
    }
    switch (action) {
      case "member.removed", "member.role_changed" ->
        onMembershipChanged(new JsonObject().put("org_id", orgId).put("user_id", event.getString("target")));
      case "org.deleted" -> {
        onMembershipChanged(new JsonObject().put("org_id", orgId));
        store.deleteOrg(orgId)
          .onSuccess(providers -> providers.forEach(p -> invalidate(ORG, orgId, p)))
          .onFailure(t -> LOG.warn("vault: keys of deleted organization {} not removed: {}", orgId, t.getMessage()));
      }
      default -> {
      }
    }
  }

  private void invalidate(String ownerKind, String ownerId, String provider) {
    rows.remove(cacheKey(ownerKind, ownerId, provider));
    vertx.eventBus().publish(INVALIDATE_ADDRESS, new JsonObject().put("owner_kind", ownerKind)
      .put("owner_id", ownerId).put("provider", provider));
  }

  private static String cacheKey(String ownerKind, String ownerId, String provider) {
    return ownerKind + "|" + ownerId + "|" + provider;
  }

  // ---- resolution (the gateway's hot path) ----

  @Override
  public Future<JsonObject> resolve(JsonObject req) {
    String userId = blankToNull(req.getString("user_id"));
    Provider provider = Provider.parse(req.getString("provider"));
    if (userId == null) {
      return Errors.badRequest("invalid_request", "user_id is required.", "user_id");
    }
    if (provider == null) {
      return unknownProvider();
    }
    String orgId = blankToNull(req.getString("org_id"));
    if (Boolean.FALSE.equals(req.getValue("prefer_byok"))) {
      return serviceKey(provider);
    }
    // an org context the caller is not in is refused before any key is chosen (one answer everywhere)
    Future<Void> member = orgId == null ? Future.succeededFuture()
      : cachedRole(userId, orgId).compose(role -> role == null ? Future.failedFuture(Errors.orgNotFound())
        : Future.succeededFuture());
    return member.compose(v -> cachedRow(USER, userId, provider)).compose(personal -> {
      if (personal != null) {
        return open(personal, provider);
      }
      if (orgId == null) {
        return serviceKey(provider);
      }
      return cachedRow(ORG, orgId, provider).compose(org -> org == null ? serviceKey(provider) : open(org, provider));
    }).recover(Errors::internal);
  }

  private Future<ProviderKeyStore.KeyRow> cachedRow(String ownerKind, String ownerId, Provider provider) {
    String key = cacheKey(ownerKind, ownerId, provider.id());
    long now = System.currentTimeMillis();
    Optional<ProviderKeyStore.KeyRow> hit = rows.get(key, now);
    if (hit != null) {
      return Future.succeededFuture(hit.orElse(null));
    }
    long generation = rows.generation();
    return store.find(ownerKind, ownerId, provider.id()).map(row -> {
      rows.put(key, row, System.currentTimeMillis(), generation);
      return row;
    });
  }

  private Future<String> cachedRole(String userId, String orgId) {
    String key = userId + "|" + orgId;
    Optional<String> hit = roles.get(key, System.currentTimeMillis());
    if (hit != null) {
      return Future.succeededFuture(hit.orElse(null));
    }
    long generation = roles.generation();
    return membership.roleOf(userId, orgId).map(role -> {
      roles.put(key, role, System.currentTimeMillis(), generation);
      return role;
    });
  }

  private Future<JsonObject> open(ProviderKeyStore.KeyRow row, Provider provider) {
    String key;
    try {
      key = crypto.decrypt(row.encryptedKey(), row.aad());
    } catch (VaultCrypto.VaultCryptoException e) {
      return unusable(row, e);
    }
    return Future.succeededFuture(new JsonObject()
      .put("provider", provider.id())
      .put("key", key)
      .put("base_url", row.baseUrl() != null ? row.baseUrl() : serviceBase(provider))
      .put("base_url_user_supplied", row.baseUrl() != null)
      .put("is_byok", true)
      .put("provider_key_id", row.id()));
  }

  private Future<JsonObject> serviceKey(Provider provider) {
    VaultConfig.ServiceKey sk = config.serviceKeys().get(provider);
    if (sk == null || !sk.usable(provider)) {
      return Errors.badRequest("provider_key_missing", "No " + provider.id() + " key is available: add one with "
        + "POST /provider-keys, or ask the operator to configure a service key.", "provider");
    }
    return Future.succeededFuture(new JsonObject()
      .put("provider", provider.id())
      .put("key", sk.apiKey() == null || sk.apiKey().isBlank() ? null : sk.apiKey())
      .put("base_url", sk.baseUrl())
      .put("base_url_user_supplied", false)
      .put("is_byok", false)
      .putNull("provider_key_id"));
  }

  private String serviceBase(Provider provider) {
    VaultConfig.ServiceKey sk = config.serviceKeys().get(provider);
    return sk == null || sk.baseUrl() == null || sk.baseUrl().isBlank() ? null : sk.baseUrl();
  }

  /**
   * The stored key cannot be opened: the first time, log it (id, owner, provider), mark the row and
   * drop it from every cache; always tell the caller to re-enter it.
   */
  private <T> Future<T> unusable(ProviderKeyStore.KeyRow row, VaultCrypto.VaultCryptoException e) {
    Metrics.of(vertx).increment(Metrics.VAULT_DECRYPT_FAILURES, "reason", "undecryptable");
    Future<Void> reported = Future.succeededFuture();
    if (!"undecryptable".equals(row.invalidReason())) {
      LOG.warn("vault: stored key {} ({} {}, provider {}) cannot be decrypted: {}; marked invalid", row.id(),
        row.ownerKind(), row.ownerId(), row.provider(), e.getMessage());
      reported = store.markUndecryptable(row.id())
        .recover(t -> Future.succeededFuture())
        .map(v -> {
          invalidate(row.ownerKind(), row.ownerId(), row.provider());
          AuditEvent.publish(vertx, "provider_key.unusable", null, row.id(),
            new JsonObject().put("org_id", row.orgId()), new JsonObject().put("provider", row.provider()));
          return null;
        });
    }
    return reported.compose(v -> Errors.fail(422, "provider_key_unusable", "The stored " + row.provider()
      + " key can no longer be decrypted by this server and is unusable. Delete it and add the key again."));
  }

  // ---- management ----

  @Override
  public Future<JsonObject> listKeys(JsonObject req) {
    String userId = req.getString("user_id");
    String orgId = blankToNull(req.getString("org_id"));
    Future<Void> allowed = orgId == null ? Future.succeededFuture() : requireRole(userId, orgId, false);
    return allowed
      .compose(v -> orgId == null ? store.list(USER, userId) : store.list(ORG, orgId))
      .map(list -> {
        JsonArray data = new JsonArray();
        list.forEach(r -> data.add(r.toPublicJson()));
        return new JsonObject().put("data", data);
      })
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> addKey(JsonObject req) {
    String userId = req.getString("user_id");
    Provider provider = Provider.parse(req.getString("provider"));
    if (provider == null) {
      return unknownProvider();
    }
    String apiKey = req.getString("api_key") == null ? "" : req.getString("api_key").strip();
    if (apiKey.isEmpty() || apiKey.length() > MAX_KEY_LENGTH || apiKey.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      return Errors.badRequest("invalid_api_key", "api_key must be 1 to " + MAX_KEY_LENGTH
        + " printable characters without spaces.", "api_key");
    }
    String formatProblem = provider.formatProblem(apiKey);
    if (formatProblem != null) {
      return Errors.badRequest("invalid_key_format", formatProblem, "api_key");
    }
    String baseUrl = blankToNull(req.getString("base_url"));
    if (provider == Provider.CUSTOM && baseUrl == null) {
      return Errors.badRequest("base_url_required", "A custom provider needs base_url (OpenAI-style, version "
        + "included, for example https://llm.example.com/v1).", "base_url");
    }
    String orgId = blankToNull(req.getString("org_id"));
    boolean validate = Boolean.TRUE.equals(req.getValue("validate"));
    Future<Void> allowed = orgId == null ? Future.succeededFuture() : requireRole(userId, orgId, true);
    return allowed
      .compose(v -> baseUrl == null ? Future.succeededFuture((BaseUrlGuard.Checked) null) : guard.check(baseUrl))
      .compose(checked -> (validate ? probeBefore(provider, apiKey, checked) : Future.succeededFuture((OffsetDateTime) null))
        .compose(validatedAt -> {
          String id = Ids.next("pk");
          ProviderKeyStore.KeyRow row = new ProviderKeyStore.KeyRow(id, orgId == null ? userId : null, orgId,
            provider.id(), null, crypto.currentVersion(), hint(apiKey), checked == null ? null : checked.url(),
            null, validatedAt, true, null);
          String ciphertext = crypto.encrypt(apiKey, row.aad());
          ProviderKeyStore.KeyRow sealed = new ProviderKeyStore.KeyRow(id, row.userId(), orgId, row.provider(), ciphertext,
            row.keyVersion(), row.keyHint(), row.baseUrl(), null, validatedAt, true, null);
          return store.upsert(sealed, userId).map(x -> {
            invalidate(sealed.ownerKind(), sealed.ownerId(), sealed.provider());
            AuditEvent.publish(vertx, "provider_key.added", userId, id, context(req, orgId),
              new JsonObject().put("provider", provider.id()).put("validated", validatedAt != null));
            return new JsonObject().put("status", "added").put("provider", provider.id())
              .put("hint", sealed.keyHint()).put("id", id);
          });
        }))
      .recover(Errors::internal);
  }

  private Future<OffsetDateTime> probeBefore(Provider provider, String apiKey, BaseUrlGuard.Checked checked) {
    return effectiveBase(provider, checked).compose(base -> probe.check(provider, apiKey, base)).compose(result ->
      switch (result.outcome()) {
        case VALID -> Future.succeededFuture(OffsetDateTime.now(ZoneOffset.UTC));
        case REJECTED -> Errors.badRequest("provider_key_invalid", result.message() + " The key was not saved.", "api_key");
        case UNREACHABLE -> Errors.fail(502, "provider_unreachable", result.message() + " The key was not saved.");
      });
  }

  /** The base a live check goes to: the row's own (checked again: DNS may have changed) or the operator's. */
  private Future<BaseUrlGuard.Checked> effectiveBase(Provider provider, BaseUrlGuard.Checked own) {
    if (own != null) {
      return Future.succeededFuture(own);
    }
    String base = serviceBase(provider);
    if (base == null) {
      return Errors.badRequest("base_url_required", "No base URL is configured for " + provider.id()
        + "; store the key with base_url.", "base_url");
    }
    return Future.succeededFuture(new BaseUrlGuard.Checked(base, null, null));
  }

  @Override
  public Future<JsonObject> deleteKey(JsonObject req) {
    String userId = req.getString("user_id");
    Provider provider = Provider.parse(req.getString("provider"));
    if (provider == null) {
      return unknownProvider();
    }
    String orgId = blankToNull(req.getString("org_id"));
    String ownerKind = orgId == null ? USER : ORG;
    String ownerId = orgId == null ? userId : orgId;
    Future<Void> allowed = orgId == null ? Future.succeededFuture() : requireRole(userId, orgId, true);
    return allowed
      .compose(v -> store.delete(ownerKind, ownerId, provider.id()))
      .compose(id -> {
        if (id == null) {
          return Errors.<JsonObject>fail(404, "provider_key_not_found", "There is no " + provider.id() + " key "
            + (orgId == null ? "of yours" : "for this organization") + " to delete.");
        }
        invalidate(ownerKind, ownerId, provider.id());
        AuditEvent.publish(vertx, "provider_key.deleted", userId, id, context(req, orgId),
          new JsonObject().put("provider", provider.id()));
        return Future.succeededFuture(new JsonObject().put("deleted", true).put("provider", provider.id()));
      })
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> validateKey(JsonObject req) {
    String userId = req.getString("user_id");
    Provider provider = Provider.parse(req.getString("provider"));
    if (provider == null) {
      return unknownProvider();
    }
    String orgId = blankToNull(req.getString("org_id"));
    String ownerKind = orgId == null ? USER : ORG;
    String ownerId = orgId == null ? userId : orgId;
    Future<Void> allowed = orgId == null ? Future.succeededFuture() : requireRole(userId, orgId, true);
    return allowed
      .compose(v -> store.find(ownerKind, ownerId, provider.id()))
      .compose(row -> {
        if (row == null) {
          return Errors.<JsonObject>fail(404, "provider_key_not_found", "There is no stored " + provider.id()
            + " key to validate.");
        }
        String key;
        try {
          key = crypto.decrypt(row.encryptedKey(), row.aad());
        } catch (VaultCrypto.VaultCryptoException e) {
          return unusable(row, e);
        }
        Future<BaseUrlGuard.Checked> base = row.baseUrl() == null
          ? effectiveBase(provider, null)
          : guard.check(row.baseUrl());
        return base.compose(b -> probe.check(provider, key, b)).compose(result -> {
          JsonObject out = new JsonObject().put("valid", result.outcome() == ProviderProbe.Outcome.VALID)
            .put("outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT))
            .put("message", result.message());
          if (result.outcome() == ProviderProbe.Outcome.UNREACHABLE) {
            // an outage says nothing about the key: leave what we knew
            return Future.succeededFuture(out.put("validated_at",
              row.validatedAt() == null ? null : row.validatedAt().toInstant().toString()));
          }
          return store.recordValidation(row.id(), result.outcome() == ProviderProbe.Outcome.VALID).map(at -> {
            invalidate(ownerKind, ownerId, provider.id());
            AuditEvent.publish(vertx, "provider_key.validated", userId, row.id(), context(req, orgId),
              new JsonObject().put("provider", provider.id()).put("valid", out.getBoolean("valid")));
            return out.put("validated_at", at == null ? null : at.toInstant().toString());
          });
        });
      })
      .recover(Errors::internal);
  }

  @Override
  public Future<JsonObject> rewrap(JsonObject req) {
    if (rewrapping) {
      return Errors.conflict("rewrap_running", "A rewrap is already running on this node.");
    }
    rewrapping = true;
    return new Rewrapper(store, crypto, config.rewrapBatchSize())
      .run(n -> {
        rows.clear();
        vertx.eventBus().publish(INVALIDATE_ADDRESS, new JsonObject().put("all", true));
      })
      .onComplete(ar -> rewrapping = false)
      .recover(Errors::internal);
  }

  // ---- helpers ----

  /** Members may read an org's keys; managing them needs owner or admin. */
  private Future<Void> requireRole(String userId, String orgId, boolean admin) {
    return membership.roleOf(userId, orgId).compose(role -> {
      if (role == null) {
        return Future.failedFuture(Errors.orgNotFound());
      }
      if (admin && !OrgMembership.isAdmin(role)) {
        return Errors.forbidden("org_admin_required", "Managing an organization's provider keys needs the owner "
          + "or admin role.");
      }
      return Future.succeededFuture();
    });
  }

  /** {@code ...} plus the last 4 characters; short keys (local servers) show nothing. */
  static String hint(String key) {
    return key.length() >= 12 ? "..." + key.substring(key.length() - 4) : "...";
  }

  private static JsonObject context(JsonObject req, String orgId) {
    return new JsonObject().put("ip", req.getString("ip")).put("user_agent", req.getString("user_agent"))
      .put("org_id", orgId);
  }

  private static <T> Future<T> unknownProvider() {
    return Errors.badRequest("unknown_provider", "provider must be one of openai, anthropic, google, mistral, cohere, "
      + "ollama, vllm, custom.", "provider");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
