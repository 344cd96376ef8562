package dev.chrysalis.forge.workspace;

import dev.chrysalis.forge.audit.AuditEvent;
import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.billing.BillingService;
import dev.chrysalis.forge.limits.ObjectCaps;
import dev.chrysalis.forge.limits.PlanLimits;
import dev.chrysalis.forge.store.Pools;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link WorkspaceService} on {@value WorkspaceService#ADDRESS}, stores the audit events
 * published on {@code forge.audit}. Deploy one instance per node. The audit consumer is local: every
 * node runs this verticle and the publishers, so each event is stored once, by the node that
 * published it.
 */
public class WorkspaceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WorkspaceVerticle.class);

  private Pool pool;
  private MessageConsumer<JsonObject> binding;
  private MessageConsumer<JsonObject> auditConsumer;

  @Override
  public Future<?> start() {
    WorkspaceConfig config = WorkspaceConfig.from(config());
    pool = Pools.shared(vertx, config());
    AuditStore audit = new AuditStore(pool);
    Orgs orgs = new Orgs(vertx, new OrgStore(pool), audit, AuthService.createProxy(vertx), config);
    ProjectStore projectStore = new ProjectStore(pool);
    ThreadStore threadStore = new ThreadStore(pool);
    BillingService billing = BillingService.createProxy(vertx);
    PlanFeatures features = (userId, orgId, feature) -> billing.requireFeature(userId, orgId, feature).mapEmpty();
    ObjectCaps caps = new ObjectCaps(billing, PlanLimits.from(config()));
    Threads threads = new Threads(threadStore, projectStore, orgs, config, features, caps);
    WorkspaceServiceImpl service = new WorkspaceServiceImpl(orgs, new Projects(projectStore, threadStore, orgs, features, caps),
      threads, new Sessions(new SessionStore(pool), threads, orgs, caps));

    auditConsumer = vertx.eventBus().localConsumer(AuditEvent.ADDRESS, msg -> {
      JsonObject event = msg.body();
      if (event == null || !(event.getValue("action") instanceof String)) {
        LOG.warn("dropped an audit event without an action");
        return;
      }
      audit.insert(event).onFailure(t -> LOG.error("audit event {} not stored: {}", event.getString("action"), t.getMessage()));
    });
    binding = new ServiceBinder(vertx).setAddress(WorkspaceService.ADDRESS).register(WorkspaceService.class, service);
    return Future.all(binding.completion(), auditConsumer.completion());
  }

  @Override
  public Future<?> stop() {
    return Future.all(binding.unregister(), auditConsumer.unregister())
      .compose(v -> pool.close());
  }
}
