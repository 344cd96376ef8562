package dev.chrysalis.forge.vault;

import dev.chrysalis.forge.workspace.MembershipClient;
import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.outbound.BaseUrlGuard;
import dev.chrysalis.forge.outbound.HostResolver;
import dev.chrysalis.forge.outbound.OutboundConfig;
import dev.chrysalis.forge.store.Pools;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import io.vertx.sqlclient.Pool;

/**
 * Serves {@link VaultService} on {@value VaultService#ADDRESS} as a local consumer (decrypted keys
 * never cross a clustered bus), and drops cached rows and memberships when any node says they
 * changed. Deploy exactly one per node.
 */
public class KeyVaultVerticle extends VerticleBase {

  private Pool pool;
  private HttpClient probeClient;
  private HostResolver resolver;
  private MessageConsumer<JsonObject> binding;
  private MessageConsumer<JsonObject> invalidations;
  private MessageConsumer<JsonObject> memberships;
  private MessageConsumer<JsonObject> audit;

  @Override
  public Future<?> start() {
    VaultConfig config = VaultConfig.from(config());
    pool = Pools.shared(vertx, config());
    probeClient = vertx.createHttpClient(new HttpClientOptions()
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.validationTimeoutMs()))
      .setForceSni(true)
      .setKeepAlive(false));
    OutboundConfig outbound = OutboundConfig.from(config());
    resolver = new HostResolver(vertx, outbound);
    VaultServiceImpl service = new VaultServiceImpl(vertx, config, new ProviderKeyStore(pool),
      membershipOf(new MembershipClient(vertx, config.membershipAddress())),
      new BaseUrlGuard(resolver, outbound.allowPrivateBaseUrls()),
      new ProviderProbe(vertx, probeClient, config.validationTimeoutMs()));
    invalidations = vertx.eventBus().consumer(VaultService.INVALIDATE_ADDRESS, msg -> service.onInvalidate(msg.body()));
    memberships = vertx.eventBus().consumer(VaultService.MEMBERSHIP_CHANGED_ADDRESS,
      msg -> service.onMembershipChanged(msg.body()));
    audit = vertx.eventBus().consumer(AuditEvent.ADDRESS, msg -> service.onAudit(msg.body()));
    binding = new ServiceBinder(vertx).setAddress(VaultService.ADDRESS).registerLocal(VaultService.class, service);
    return Future.all(binding.completion(), invalidations.completion(), memberships.completion(), audit.completion());
  }

  @Override
  public Future<?> stop() {
    return Future.all(binding.unregister(), invalidations.unregister(), memberships.unregister(), audit.unregister())
      .eventually(() -> probeClient.close())
      .eventually(() -> resolver.close())
      .eventually(() -> pool.close());
  }

  /** The vault's interface names the user first; the workspace client names the org first. */
  private static OrgMembership membershipOf(MembershipClient client) {
    return (userId, orgId) -> client.roleOf(orgId, userId);
  }
}
