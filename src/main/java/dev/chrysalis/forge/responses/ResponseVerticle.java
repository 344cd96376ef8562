package dev.chrysalis.forge.responses;

import dev.chrysalis.forge.store.Pools;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import io.vertx.sqlclient.Pool;

/** Serves {@link ResponseService} on {@value ResponseService#ADDRESS}. */
public class ResponseVerticle extends VerticleBase {

  private Pool pool;
  private MessageConsumer<JsonObject> binding;

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, config());
    binding = new ServiceBinder(vertx).setAddress(ResponseService.ADDRESS)
      .register(ResponseService.class, new ResponseServiceImpl(new ResponseStore(pool),
        config().getJsonObject("responses", new JsonObject()).getInteger("max_per_user", 10_000)));
    return binding.completion();
  }

  @Override
  public Future<?> stop() {
    return binding.unregister().eventually(() -> pool.close());
  }
}
