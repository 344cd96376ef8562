package dev.chrysalis.forge.abuse;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The login email that made the contract's old email pattern backtrack quadratically
 * ("a@" + 16,000 dots + "@"): it is refused in our shape, /health sent while several of them are
 * in flight is answered, and a caller repeating it is stopped by the per-address limit of public
 * operations like any other caller (its invalid requests count, and once refused it gets 429,
 * not another validation).
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

  @Test
  void repeatingTheDottedEmailIsStoppedByTheAddressLimit() {
    try (TestApp app = TestApp.start(TestApp.env(
      "CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1",
      "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "20"))) {
      Api attacker = app.api().withHeader("X-Forwarded-For", "10.17.1.1");
      JsonObject body = new JsonObject().put("email", "a@" + ".".repeat(16_000) + "@").put("password", "whatever-password");
      int invalid = 0;
      int limited = 0;
      for (int i = 0; i < 30; i++) {
        Api.Resp r = attacker.call("loginUser").body(body).send();
        if (r.status() == 400) {
          assertEquals("email", r.error().getString("param"));
          invalid++;
        } else {
          assertTrue(i >= 20, "refused within the first 20: " + i);
          assertEquals(429, r.status(), r.text());
          assertEquals("rate_limit_exceeded", r.error().getString("type"));
          assertTrue(Integer.parseInt(r.header("retry-after")) > 0);
          limited++;
        }
      }
      // the limit lets 20 through at once and then one per 3 s, so a slow run may see one or two more
      assertTrue(invalid >= 20, "invalid: " + invalid);
      assertTrue(limited >= 1, "limited: " + limited);
      // another address is not affected, and the service answers
      Api.Resp other = app.api().withHeader("X-Forwarded-For", "10.17.2.1").call("loginUser")
        .body(new JsonObject().put("email", "nobody@example.com").put("password", "whatever-password")).send();
      assertEquals(401, other.status(), other.text());
      assertEquals(200, app.api().raw("GET", "/health").send().status());
    }
  }
}
