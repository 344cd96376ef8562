package dev.chrysalis.forge.billing;

import dev.chrysalis.forge.workspace.MembershipClient;
import dev.chrysalis.forge.auth.AuthService;
import dev.chrysalis.forge.store.Pools;
import dev.chrysalis.forge.metrics.Metrics;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import dev.chrysalis.forge.config.ConfiguredVerticle;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Serves {@link BillingService} on {@value BillingService#ADDRESS} and, in Autumn mode, runs the
 * outbox relay and queues a customer for every registered user. Deploy one instance per node.
 */
public class BillingVerticle extends ConfiguredVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(BillingVerticle.class);

  public BillingVerticle(JsonObject config) {
    super(config);
  }

  private Pool pool;
  private BillingServiceImpl service;
  private MessageConsumer<JsonObject> binding;
  private MessageConsumer<JsonObject> registrations;
  private MessageConsumer<String> planChanges;
  private AutumnClient autumn;
  private OutboxRelay relay;
  private ReservationSweeper sweeper;
  private long backlogTimer = -1;
  private static final long BACKLOG_EVERY_MS = 15_000;
  private static final long DRAIN_SECONDS = 10;

  @Override
  public Future<?> start() {
    BillingConfig config = BillingConfig.from(config());
    pool = Pools.shared(vertx, config());
    BillingMetrics metrics = new BillingMetrics();
    OutboxStore outbox = new OutboxStore(pool);
    BillingStore store = new BillingStore(pool, Clock.systemUTC());
    autumn = config.autumn().enabled() ? new AutumnClient(vertx, config.autumn()) : null;
    service = new BillingServiceImpl(vertx, config, store,
      new UsageStore(pool, outbox), outbox, membership(new MembershipClient(vertx, config.membershipAddress())),
      AuthService.createProxy(vertx), autumn, metrics);
    binding = new ServiceBinder(vertx).setAddress(BillingService.ADDRESS).register(BillingService.class, service);
    planChanges = vertx.eventBus().consumer(BillingServiceImpl.PLAN_CHANGED_ADDRESS,
      msg -> service.forgetLocalPlan(msg.body()));
    sweeper = new ReservationSweeper(vertx, store, config.reservations(), metrics.reservationsExpired,
      ReservationSweeper.BATCH);
    sweeper.start();
    metrics.registerReservations(Metrics.of(vertx));
    if (autumn == null) {
      LOG.info("billing: local ledger mode (no AUTUMN_SECRET_KEY)");
      return Future.all(binding.completion(), planChanges.completion());
    }
    LOG.info("billing: Autumn mode, API {}", config.autumn().apiBase());
    relay = new OutboxRelay(vertx, outbox, autumn, config, metrics);
    service.onOutboxWrite(relay::nudge);
    registrations = vertx.eventBus().consumer(AuthService.USER_REGISTERED_ADDRESS, msg -> {
      JsonObject body = msg.body();
      service.customerRegistered(body.getString("user_id"), body.getString("email"))
        .onFailure(t -> LOG.warn("could not queue the Autumn customer for a new user: {}", t.getClass().getSimpleName()));
    });
    relay.start();
    metrics.register(Metrics.of(vertx));
    backlogTimer = vertx.setPeriodic(1, BACKLOG_EVERY_MS, id -> outbox.counts()
      .onSuccess(c -> {
        metrics.outboxPending.set(c.getLong("pending", 0L));
        metrics.outboxParked.set(c.getLong("failed", 0L));
      }));
    return Future.all(binding.completion(), planChanges.completion(), registrations.completion());
  }

  private static OrgMembership membership(MembershipClient client) {
    return new OrgMembership() {
      @Override
      public Future<String> roleOf(String orgId, String userId) {
        return client.roleOf(orgId, userId);
      }

      @Override
      public Future<Boolean> orgExists(String orgId) {
        return client.orgExists(orgId);
      }
    };
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(backlogTimer);
    Future<Void> relayStopped = relay == null ? Future.succeededFuture() : relay.stop();
    Future<Void> sweepStopped = sweeper == null ? Future.succeededFuture() : sweeper.stop();
    Future<Void> regs = registrations == null ? Future.succeededFuture() : registrations.unregister();
    return Future.all(binding.unregister(), planChanges.unregister(), regs, relayStopped, sweepStopped)
      .eventually(() -> service.drainUsage().timeout(DRAIN_SECONDS, TimeUnit.SECONDS)
        .onFailure(t -> LOG.error("stopping with usage events not yet recorded: {}", service.queuedUsage())))
      .eventually(() -> {
        if (autumn != null) {
          autumn.close();
        }
        return pool.close();
      });
  }
}
