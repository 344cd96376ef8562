package dev.chrysalis.forge.mail;

import dev.chrysalis.forge.store.Ids;
import dev.chrysalis.forge.store.Pools;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * Takes mail on {@value #SEND_ADDRESS} ({to, subject, body} → {id}, answered once the row is
 * stored) and runs this node's relay. Every node may run one: rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so each mail goes out once.
 */
public class MailVerticle extends VerticleBase {

  public static final String SEND_ADDRESS = "forge.mail.send";

  private Pool pool;
  private MailRelay relay;
  private MessageConsumer<JsonObject> consumer;
  private long timer;

  @Override
  public Future<?> start() {
    MailConfig config = MailConfig.from(config());
    pool = Pools.shared(vertx, config());
    MailOutboxStore store = new MailOutboxStore(pool);
    relay = new MailRelay(vertx, config, store);
    consumer = vertx.eventBus().localConsumer(SEND_ADDRESS, msg -> {
      JsonObject m = msg.body();
      String to = m == null ? null : m.getString("to");
      String subject = m == null ? null : m.getString("subject");
      String body = m == null ? null : m.getString("body");
      if (to == null || subject == null || body == null) {
        msg.fail(400, "to, subject and body are required");
        return;
      }
      String id = Ids.next("mail");
      store.enqueue(id, to, subject, body).onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(new JsonObject().put("id", id));
          relay.runOnce();
        } else {
          msg.fail(503, "mail outbox unavailable");
        }
      });
    });
    timer = vertx.setPeriodic(config.intervalMs(), id -> relay.runOnce());
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return consumer.unregister().compose(v -> relay.close()).compose(v -> pool.close());
  }
}
