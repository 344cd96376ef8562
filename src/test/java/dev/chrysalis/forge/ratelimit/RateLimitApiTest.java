package dev.chrysalis.forge.ratelimit;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.BusFlow;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process backend through real HTTP: headers, 429s, per-IP limits, exactness, day limits across a restart. */
@ExtendWith(VertxExtension.class)
class RateLimitApiTest {

  /** Default tier limits (free 10/min, 100/day), public 5 per minute, loopback a trusted proxy. */
  private static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env(
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "10", "CHRYSALIS_RATE_FREE_PER_DAY", "100",
      "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "5", "CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1",
      "CHRYSALIS_RATE_DAY_QUERY_TIMEOUT_MS", "10000"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void headersOnEverySuccessThen429WithRetryAfter() {
    Api api = app.api();
    Users.Registered user = Users.register(api.withHeader("X-Forwarded-For", "198.51.100.1"));
    // an API key of the user counts against the same per-user limit
    String key = Users.apiKey(api, user, "read");   // request 1 (createApiKey)
    long before = System.currentTimeMillis() / 1000;
    for (int i = 2; i <= 10; i++) {
      Api.Resp ok = api.call("getCurrentUser").bearer(i % 2 == 0 ? key : user.token()).send().expect(200);
      assertThat(ok.header("X-RateLimit-Limit")).isEqualTo("10");
      assertThat(ok.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(10 - i));
      assertThat(Long.parseLong(ok.header("X-RateLimit-Reset"))).isBetween(before, before + 120);
      assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"minute\";q=10;w=60, \"day\";q=100;w=86400");
      assertThat(ok.header("RateLimit")).startsWith("\"minute\";r=" + (10 - i) + ";t=");
      assertThat(ok.header("x-ratelimit-limit-requests")).as("OpenAI names only on /v1").isNull();
    }
    Api.Resp limited = api.call("getCurrentUser").header("x-api-key", key).send().expect(429);
    JsonObject error = limited.error();
    assertThat(error.getString("type")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getString("message")).startsWith("Rate limit exceeded").contains("10 requests per minute");
    long retryAfter = Long.parseLong(limited.header("Retry-After"));
    // GCRA at 10/min frees one request every 6 s
    assertThat(retryAfter).isBetween(1L, 6L);
    assertThat(error.getLong("retry_after")).isEqualTo(retryAfter);
    assertThat(limited.header("X-RateLimit-Remaining")).isEqualTo("0");
    assertThat(limited.header("X-RateLimit-Limit")).isEqualTo("10");
    assertThat(limited.header("RateLimit")).startsWith("\"minute\";r=0;t=");

    // other users are not affected
    Users.Registered other = Users.register(api.withHeader("X-Forwarded-For", "198.51.100.2"));
    api.call("getCurrentUser").bearer(other.token()).send().expect(200);
  }

  @Test
  void publicOperationsAreLimitedPerClientIp() {
    Api api = app.api();
    Api fromA = api.withHeader("X-Forwarded-For", "203.0.113.7");
    JsonObject wrong = new JsonObject().put("email", Users.uniqueEmail()).put("password", "not the password");
    for (int i = 0; i < 5; i++) {
      Api.Resp r = fromA.call("loginUser").body(wrong).send().expect(401);
      assertThat(r.header("X-RateLimit-Limit")).isEqualTo("5");
      assertThat(r.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(4 - i));
    }
    Api.Resp limited = fromA.call("loginUser").body(wrong).send().expect(429);
    assertThat(limited.error().getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(limited.error().getString("message")).contains("per minute from this address");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 12L);
    // register shares the address's allowance, and nothing is created
    String email = Users.uniqueEmail();
    fromA.call("registerUser").body(new JsonObject().put("email", email).put("password", Users.PASSWORD)).send()
      .expect(429);
    api.call("loginUser").body(new JsonObject().put("email", email).put("password", Users.PASSWORD)).send().expect(401);
    // another address is unaffected; health probes are never limited
    api.withHeader("X-Forwarded-For", "203.0.113.8").call("loginUser").body(wrong).send().expect(401);
    for (int i = 0; i < 8; i++) {
      fromA.call("getHealth").send().expect(200);
    }
  }

  @Test
  void ipv6ClientsAreLimitedPerSlash64() {
    Api api = app.api();
    JsonObject wrong = new JsonObject().put("email", Users.uniqueEmail()).put("password", "not the password");
    for (int i = 1; i <= 5; i++) {
      api.withHeader("X-Forwarded-For", "2001:db8:aa:1::" + i).call("loginUser").body(wrong).send().expect(401);
    }
    api.withHeader("X-Forwarded-For", "2001:db8:aa:1::99").call("loginUser").body(wrong).send().expect(429);
    api.withHeader("X-Forwarded-For", "2001:db8:aa:2::1").call("loginUser").body(wrong).send().expect(401);
  }

  @Test
  void badChecksAreRefusedWith400(VertxTestContext ctx) throws Throwable {
    RateLimitService service = Patient.rateLimit(app.vertx());
    BusFlow.refused(service.check(new JsonObject()), 400, "invalid_request")
      .compose(v -> Future.all(BusFlow.refusal(service.check(new JsonObject().put("user_id", "u".repeat(200)))),
        BusFlow.refusal(service.check(new JsonObject().put("user_id", 42)))))
      .onComplete(ctx.succeeding(refusals -> ctx.verify(() -> {
        assertThat(refusals.<String>resultAt(0)).startsWith("400 ");
        assertThat(refusals.<String>resultAt(1)).startsWith("400 ");
        ctx.completeNow();
      })));
    BusFlow.await(ctx);
  }

  @Test
  void exactlySixtyOfTwoHundredConcurrentRequestsPass() throws Exception {
    // a one-hour window of 60, so no request is refilled while the burst runs
    try (TestApp own = TestApp.start(TestApp.env("CHRYSALIS_RATE_FREE_PER_MINUTE", "60",
      "CHRYSALIS_RATE_WINDOW_SECONDS", "3600", "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000"))) {
      Users.Registered user = Users.register(own.api());
      List<Api.Resp> rs = Burst.fire(200, i -> own.api().call("getCurrentUser").bearer(user.token()).send());
      assertThat(Burst.count(rs, 200)).isEqualTo(60);
      assertThat(Burst.count(rs, 429)).isEqualTo(140);
      Api.Resp limited = rs.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
      assertThat(limited.error().getString("message")).contains("60 requests per hour");
    }
  }

  @Test
  void dayLimitIsExactUnderConcurrencyAndSurvivesARestart() throws Exception {
    // exact while PostgreSQL answers within the day-query timeout; 200 requests queued on a
    // 10-connection pool on a loaded 2-core machine can take longer than the 500 ms default
    Map<String, String> env = TestApp.env("CHRYSALIS_RATE_FREE_PER_MINUTE", "60000", "CHRYSALIS_RATE_FREE_PER_DAY", "60",
      "CHRYSALIS_RATE_DAY_QUERY_TIMEOUT_MS", "10000", "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000");
    String databaseUrl;
    Users.Registered user;
    try (TestApp first = TestApp.start(env)) {
      databaseUrl = first.databaseUrl();
      user = Users.register(first.api());
      long toMidnightBefore = 86_400 - (System.currentTimeMillis() / 1000) % 86_400;
      List<Api.Resp> rs = Burst.fire(200, i -> first.api().call("getCurrentUser").bearer(user.token()).send());
      assertThat(Burst.count(rs, 200)).isEqualTo(60);
      assertThat(Burst.count(rs, 429)).isEqualTo(140);
      Api.Resp limited = rs.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
      assertThat(limited.error().getString("message")).contains("60 requests per day");
      assertThat(limited.header("X-RateLimit-Limit")).isEqualTo("60");
      assertThat(limited.header("RateLimit")).startsWith("\"day\";r=0;t=");
      long toMidnight = 86_400 - (System.currentTimeMillis() / 1000) % 86_400;
      // a refusal answered while the burst ran may be seconds older than toMidnight on a loaded machine
      assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(toMidnight - 60, toMidnightBefore + 1);
    }
    env.put("CHRYSALIS_DATABASE_URL", databaseUrl);
    try (TestApp second = TestApp.start(env)) {
      Api.Resp after = second.api().call("getCurrentUser").bearer(user.token()).send().expect(429);
      assertThat(after.error().getString("message")).contains("per day");
    }
  }

  @Test
  void aRestartInTheMiddleOfTheDayLetsExactlyPerDayThroughInTotal() throws Exception {
    // the day is counted in leased blocks: the first app holds spare units when it stops, gives
    // them back, and the second app continues from the exact count (headers included)
    Map<String, String> env = TestApp.env("CHRYSALIS_RATE_FREE_PER_MINUTE", "60000", "CHRYSALIS_RATE_FREE_PER_DAY", "200",
      "CHRYSALIS_RATE_DAY_QUERY_TIMEOUT_MS", "10000", "CHRYSALIS_RATE_CHECK_TIMEOUT_MS", "30000");
    String databaseUrl;
    Users.Registered user;
    long passed;
    try (TestApp first = TestApp.start(env)) {
      databaseUrl = first.databaseUrl();
      user = Users.register(first.api());
      for (int i = 1; i <= 30; i++) {
        Api.Resp ok = first.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
        assertThat(ok.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(200 - i));
        assertThat(ok.header("RateLimit")).startsWith("\"day\";r=" + (200 - i) + ";t=");
      }
      List<Api.Resp> rs = Burst.fire(90, i -> first.api().call("getCurrentUser").bearer(user.token()).send());
      assertThat(Burst.count(rs, 200)).isEqualTo(90);
      passed = 30 + 90;
    }
    env.put("CHRYSALIS_DATABASE_URL", databaseUrl);
    try (TestApp second = TestApp.start(env)) {
      Api.Resp next = second.api().call("getCurrentUser").bearer(user.token()).send().expect(200);
      assertThat(next.header("X-RateLimit-Remaining")).isEqualTo(String.valueOf(200 - passed - 1));
      List<Api.Resp> rs = Burst.fire(200, i -> second.api().call("getCurrentUser").bearer(user.token()).send());
      assertThat(Burst.count(rs, 200)).isEqualTo(200 - passed - 1);
      assertThat(Burst.count(rs, 429)).isEqualTo(passed + 1);
      assertThat(second.api().call("getCurrentUser").bearer(user.token()).send().expect(429)
        .header("X-RateLimit-Remaining")).isEqualTo("0");
    }
  }
}
