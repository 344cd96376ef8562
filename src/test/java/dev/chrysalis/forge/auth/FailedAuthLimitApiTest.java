package dev.chrysalis.forge.auth;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RawHttp2;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests refused before their rate limit (made-up API keys and JWTs, header or query text
 * PostgreSQL cannot store) count against the client address's allowance of public operations:
 * the first five from an address are answered as they are, then 429 with Retry-After, and an API
 * key from a refused address is not looked up in the database at all. Other addresses, and
 * valid session tokens, are not affected.
 */
class FailedAuthLimitApiTest {

  private static final String METRICS_TOKEN = "metrics-token-for-failed-auth-test";
  /** Five per address per hour: nothing is given back while a test runs, however slow the machine. */
  private static final int PER_ADDRESS = 5;
  private static final AtomicInteger METRIC_READS = new AtomicInteger();
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env(
      "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", String.valueOf(PER_ADDRESS), "CHRYSALIS_RATE_WINDOW_SECONDS", "3600",
      "CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1", "CHRYSALIS_METRICS_TOKEN", METRICS_TOKEN));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void randomApiKeysAre401ThenRefusedWithoutADatabaseLookup() {
    Api api = app.api();
    Users.Registered user = Users.register(api.withHeader("X-Forwarded-For", "198.51.100.21"));
    Api attacker = api.withHeader("X-Forwarded-For", "203.0.113.50");

    double before = keyLookups();
    for (int i = 1; i <= PER_ADDRESS; i++) {
      Api.Resp r = attacker.call("getCurrentUser").bearer(ApiKeys.generate()).send().expect(401);
      assertThat(r.error().getString("type")).isEqualTo("authentication_error");
      assertThat(r.header("X-RateLimit-Limit")).isEqualTo(String.valueOf(PER_ADDRESS));
      assertThat(r.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(PER_ADDRESS - i));
    }
    double afterFailures = keyLookups();
    assertThat(afterFailures - before).as("each made-up key was looked up once").isEqualTo(PER_ADDRESS);

    Api.Resp limited = attacker.call("getCurrentUser").bearer(ApiKeys.generate()).send().expect(429);
    assertRateLimited(limited);
    assertRateLimited(attacker.call("getCurrentUser").header("x-api-key", ApiKeys.generate()).send().expect(429));
    assertRateLimited(attacker.raw("GET", "/users/me?api_key=" + ApiKeys.generate()).send().expect(429));
    // a key that exists but that the service has not cached is not looked up from this address either
    String fresh = Users.apiKey(api.withHeader("X-Forwarded-For", "198.51.100.21"), user, "*");
    assertRateLimited(attacker.call("getCurrentUser").bearer(fresh).send().expect(429));
    assertThat(keyLookups()).as("no lookup for a refused address").isEqualTo(afterFailures);

    // a session token is checked in process, never against the address; other addresses are unaffected
    attacker.call("getCurrentUser").bearer(user.token()).send().expect(200);
    Api other = api.withHeader("X-Forwarded-For", "198.51.100.22");
    other.call("getCurrentUser").bearer(fresh).send().expect(200);
    other.call("getCurrentUser").bearer(ApiKeys.generate()).send().expect(401);
  }

  @Test
  void madeUpJwtsAndMissingCredentialsCountTheSameWay() {
    Api attacker = app.api().withHeader("X-Forwarded-For", "203.0.113.51");
    String[] tokens = {
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeCJ9.c2lnbmF0dXJl",
      "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3JfeCJ9.",
      "not-a-token",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeSJ9.b3RoZXI"};
    for (String token : tokens) {
      attacker.call("getCurrentUser").bearer(token).send().expect(401);
    }
    attacker.call("getCurrentUser").send().expect(401);
    assertRateLimited(attacker.call("getCurrentUser").bearer(tokens[0]).send().expect(429));
    assertRateLimited(attacker.call("listProjects").send().expect(429));
    // the address's public operations share the allowance
    assertRateLimited(attacker.call("loginUser")
      .body(new JsonObject().put("email", Users.uniqueEmail()).put("password", "whatever-password")).send().expect(429));
  }

  @Test
  void unstorableHeaderAndQueryTextCountsAndUsesUpTheAddressForKeysToo() throws Exception {
    String address = "203.0.113.52";
    Api attacker = app.api().withHeader("X-Forwarded-For", address);
    for (int i = 1; i <= PER_ADDRESS - 1; i++) {
      Api.Resp r = attacker.raw("GET", "/users/me?note=a%00b").send().expect(400);
      assertThat(r.error().getString("code")).isEqualTo("invalid_text");
      assertThat(r.error().getString("param")).isEqualTo("note");
      assertThat(r.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(PER_ADDRESS - i));
    }
    // over HTTP/2 a header holding NUL reaches the check (HTTP/1.1's parser refuses it before any route)
    RawHttp2.Response h2 = RawHttp2.send(app.api().baseUrl(), "GET", "/users/me",
      Map.of("x-forwarded-for", address, "x-client-note", "agent\u0000smith"), null);
    assertThat(h2.status()).as(h2.toString()).isEqualTo(400);
    assertThat(new JsonObject(h2.body()).getJsonObject("error").getString("param")).isEqualTo("x-client-note");

    RawHttp2.Response refused = RawHttp2.send(app.api().baseUrl(), "GET", "/users/me",
      Map.of("x-forwarded-for", address, "x-client-note", "agent\u0000smith"), null);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_exceeded");
    assertRateLimited(attacker.raw("GET", "/users/me?note=a%00b").send().expect(429));

    double before = keyLookups();
    assertRateLimited(attacker.call("getCurrentUser").bearer(ApiKeys.generate()).send().expect(429));
    assertThat(keyLookups()).isEqualTo(before);
  }

  private static void assertRateLimited(Api.Resp r) {
    JsonObject error = r.error();
    assertThat(error.getString("type")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getString("message")).contains(PER_ADDRESS + " requests per hour from this address");
    long retryAfter = Long.parseLong(r.header("Retry-After"));
    assertThat(retryAfter).isPositive();
    assertThat(error.getLong("retry_after")).isEqualTo(retryAfter);
    assertThat(r.header("X-RateLimit-Remaining")).isEqualTo("0");
  }

  /** forge_auth_api_key_lookups_total as /metrics shows it (each read from its own address: /metrics is public). */
  private static double keyLookups() {
    String text = app.api().withHeader("X-Forwarded-For", "10.77.0." + METRIC_READS.incrementAndGet())
      .call("getMetrics").bearer(METRICS_TOKEN).send().expect(200).text();
    for (String line : text.split("\n")) {
      if (line.startsWith("forge_auth_api_key_lookups_total ")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no forge_auth_api_key_lookups_total in /metrics");
  }
}
