package dev.chrysalis.forge.store;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Stopping (what SIGTERM triggers) lets a request already in flight finish, then refuses new ones. */
class GracefulShutdownTest {

  @Test
  void inFlightRequestFinishesDuringShutdown() throws Exception {
    // production-strength hashing makes a registration take long enough to stop the app under it
    TestApp app = TestApp.start(TestApp.env("CHRYSALIS_PBKDF2_ITERATIONS", "3000000"));
    Api api = app.api();
    String email = Users.uniqueEmail();
    CompletableFuture<Api.Resp> inFlight = CompletableFuture.supplyAsync(() -> api.call("registerUser")
      .body(new JsonObject().put("email", email).put("password", Users.PASSWORD)).send());
    Thread.sleep(150);
    app.close();
    Api.Resp r = inFlight.get(30, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().getString("email")).isEqualTo(email);
    assertThat(CompletableFuture.supplyAsync(() -> {
      try {
        return api.raw("GET", "/health").send().status();
      } catch (IllegalStateException refused) {
        return -1;
      }
    }).get(30, TimeUnit.SECONDS)).isEqualTo(-1);
  }
}
