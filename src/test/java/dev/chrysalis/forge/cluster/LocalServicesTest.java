package dev.chrysalis.forge.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Local delivery while a service runs on this node, and the one retry of a read whose message was lost. */
class LocalServicesTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void proxiesSendLocallyOnlyWhileTheServiceRunsHere() {
    assertThat(LocalServices.options(vertx, "forge.test", 1_000).isLocalOnly()).isFalse();
    LocalServices.serving(vertx, "forge.test");
    assertThat(LocalServices.options(vertx, "forge.test", 1_000).isLocalOnly()).isTrue();
    assertThat(LocalServices.options(vertx, "forge.test", 1_000).getSendTimeout()).isEqualTo(1_000);
    assertThat(LocalServices.options(vertx, "forge.other", 1_000).isLocalOnly()).isFalse();
    LocalServices.stopped(vertx, "forge.test");
    assertThat(LocalServices.servedHere(vertx, "forge.test")).isFalse();
  }

  @Test
  void aReadWithNoHandlerWhereItWentIsSentOnceMoreElsewhere() throws Exception {
    vertx.eventBus().<String>consumer("forge.test.there", msg -> msg.reply("answer")).completion()
      .await(10, TimeUnit.SECONDS);
    AtomicInteger again = new AtomicInteger();
    String answer = LocalServices.<String>readRetryingOnce(
        () -> vertx.eventBus().<String>request("forge.test.nobody", "q", LocalServices.anyNode(1_000)).map(m -> m.body()),
        () -> {
          again.incrementAndGet();
          return vertx.eventBus().<String>request("forge.test.there", "q").map(m -> m.body());
        })
      .await(10, TimeUnit.SECONDS);
    assertThat(answer).isEqualTo("answer");
    assertThat(again).hasValue(1);
  }

  @Test
  void theServicesOwnAnswersAndTimeoutsAreNotResent() {
    AtomicInteger again = new AtomicInteger();
    Future<String> refused = LocalServices.readRetryingOnce(
      () -> Future.failedFuture(new ServiceException(401, "invalid api key")),
      () -> {
        again.incrementAndGet();
        return Future.succeededFuture("resent");
      });
    assertThatThrownBy(() -> refused.await(10, TimeUnit.SECONDS)).isInstanceOf(ServiceException.class);
    Future<String> timedOut = LocalServices.readRetryingOnce(
      () -> Future.failedFuture(new ReplyException(ReplyFailure.TIMEOUT, "timed out")),
      () -> {
        again.incrementAndGet();
        return Future.succeededFuture("resent");
      });
    assertThatThrownBy(() -> timedOut.await(10, TimeUnit.SECONDS)).isInstanceOf(ReplyException.class);
    assertThat(again).hasValue(0);
  }
}
