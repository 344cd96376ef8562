package dev.chrysalis.forge.abuse;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The login email that made the contract's old email pattern backtrack quadratically
 * ("a@" + 16,000 dots + "@"): it is refused in our shape, and /health sent while several of them are
 * in flight is answered.
 */
class RegexReplayApiTest {

  @Test
  void dottedEmailIsRefusedAndHealthStillAnswers() throws Exception {
    Api api = TestApp.shared().api();
    String email = "a@" + ".".repeat(16_000) + "@";
    List<CompletableFuture<Api.Resp>> logins = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      logins.add(CompletableFuture.supplyAsync(() -> api.call("loginUser")
        .body(new JsonObject().put("email", email).put("password", "whatever-password")).send()));
    }
    Api.Resp health = api.raw("GET", "/health").send();
    assertEquals(200, health.status());
    for (CompletableFuture<Api.Resp> login : logins) {
      Api.Resp r = login.get();
      assertEquals(400, r.status(), r.text());
      assertEquals("invalid_request_error", r.error().getString("type"));
      assertEquals("email", r.error().getString("param"));
    }
  }
}
