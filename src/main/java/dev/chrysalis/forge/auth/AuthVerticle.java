package dev.chrysalis.forge.auth;

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

/** Serves {@link AuthService} on {@value AuthService#ADDRESS}. Deploy one instance per node. */
public class AuthVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);
  /** How often failed-login rows older than a day are deleted. */
  private static final long SWEEP_EVERY_MS = 3_600_000;

  private Pool pool;
  private MessageConsumer<JsonObject> binding;
  private MessageConsumer<String> revocations;
  private MessageConsumer<String> creations;
  private MessageConsumer<JsonObject> sessionsEnded;
  private long sweeper;

  @Override
  public Future<?> start() {
    AuthConfig config = AuthConfig.from(config());
    pool = Pools.shared(vertx, config());
    AuthServiceImpl service = new AuthServiceImpl(vertx, config, new UserStore(pool), new ApiKeyStore(pool),
      new EmailTokenStore(pool), new LoginThrottleStore(pool),
      new JwtTokens(vertx, config),
      new ObjectCaps(BillingService.createProxy(vertx), PlanLimits.from(config())));
    revocations = vertx.eventBus().consumer(AuthServiceImpl.KEY_REVOKED_ADDRESS, msg -> service.forgetKey(msg.body()));
    creations = vertx.eventBus().consumer(AuthServiceImpl.KEY_CREATED_ADDRESS, msg -> service.keyCreated(msg.body()));
    sessionsEnded = vertx.eventBus().consumer(SessionStates.REVOKED_ADDRESS,
      msg -> service.sessionsEnded(msg.body().getString("user_id")));
    sweeper = vertx.setPeriodic(SWEEP_EVERY_MS, id -> service.sweepLoginThrottle()
      .onFailure(t -> LOG.warn("login throttle sweep failed: {}", t.getClass().getSimpleName())));
    binding = new ServiceBinder(vertx).setAddress(AuthService.ADDRESS).register(AuthService.class, service);
    return Future.all(binding.completion(), revocations.completion(), creations.completion(), sessionsEnded.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweeper);
    return Future.all(binding.unregister(), revocations.unregister(), creations.unregister(), sessionsEnded.unregister())
      .compose(v -> pool.close());
  }
}
