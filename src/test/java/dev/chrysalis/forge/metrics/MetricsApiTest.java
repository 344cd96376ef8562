package dev.chrysalis.forge.metrics;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RedisProcess;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import dev.chrysalis.forge.usage.UsageEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** /metrics: Prometheus text with Vert.x's meters and ours, and who may read it. */
class MetricsApiTest {

  @Test
  void loopbackWithoutTokenGetsPrometheusTextWithHttpBusPoolAndJvmMeters() {
    TestApp app = TestApp.shared();
    Api api = app.api();
    Users.Registered user = Users.register(api);
    api.call("getCurrentUser").bearer(user.token()).send().expect(200);
    api.call("getCurrentUser").send().expect(401);

    Api.Resp r = api.call("getMetrics").send().expect(200);
    assertThat(r.header("content-type")).startsWith("text/plain");
    String text = r.text();
    assertThat(text).contains("# TYPE vertx_http_server_requests_total counter");
    assertThat(text).containsPattern("vertx_http_server_requests_total\\{[^}]*code=\"200\"[^}]*route=\"/users/me\"");
    assertThat(text).containsPattern("vertx_http_server_requests_total\\{[^}]*code=\"401\"[^}]*route=\"/users/me\"");
    assertThat(text).contains("vertx_eventbus_");
    assertThat(text).containsPattern("vertx_pool_[a-z_]+\\{[^}]*pool_name=\"forge-pg\"");
    assertThat(text).contains("jvm_memory_used_bytes");
    assertThat(text).doesNotContain(user.token());
  }

  @Test
  void usageEventsBecomeTokenCountersByProviderAndCatalogModel() {
    TestApp app = TestApp.shared();
    String label = "direction=\"input\",model=\"claude-opus-4-1\",provider=\"anthropic\"";
    double before = value(app.api().call("getMetrics").send().expect(200).text(), label);
    // a dated snapshot counts under its catalog family
    UsageEvent.publish(app.vertx(), new JsonObject().put("id", "req_metrics_1").put("user_id", "usr_x")
      .put("provider", "anthropic").put("model", "claude-opus-4-1-20250805").put("input_tokens", 12).put("output_tokens", 30));
    // the metrics consumer counts the event after publish returns
    Workspaces.eventually(() -> value(scrape(app), label) - before >= 12.0);
    String text = scrape(app);
    assertThat(value(text, label) - before).isEqualTo(12.0);
    assertThat(text).containsPattern("forge_usage_events_total\\{byok=\"false\",provider=\"anthropic\"} [1-9]");
  }

  @Test
  void clientChosenModelNamesNeverBecomeSeries() {
    TestApp app = TestApp.shared();
    String openai = "direction=\"input\",model=\"other\",provider=\"openai\"";
    String other = "direction=\"input\",model=\"other\",provider=\"other\"";
    String before = scrape(app);
    for (int i = 0; i < 50; i++) {
      UsageEvent.publish(app.vertx(), new JsonObject().put("id", "req_metrics_n" + i).put("user_id", "usr_x")
        .put("provider", i % 2 == 0 ? "openai" : "acme-" + i).put("model", "gpt-made-up-" + i + "\"} 1e9\n")
        .put("input_tokens", 1).put("output_tokens", 1));
    }
    // the metrics consumer counts the events after publish returns
    Workspaces.eventually(() -> {
      String now = scrape(app);
      return value(now, openai) - value(before, openai) >= 25.0 && value(now, other) - value(before, other) >= 25.0;
    });
    String text = scrape(app);
    assertThat(text).doesNotContain("gpt-made-up").doesNotContain("acme-");
    assertThat(value(text, openai) - value(before, openai)).isGreaterThanOrEqualTo(25.0);
    assertThat(value(text, other) - value(before, other)).isGreaterThanOrEqualTo(25.0);
  }

  private static String scrape(TestApp app) {
    return app.api().call("getMetrics").send().expect(200).text();
  }

  private static double value(String scrape, String labels) {
    String prefix = "forge_tokens_total{" + labels + "} ";
    return scrape.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
      .findFirst().orElse(0.0);
  }

  @Test
  void aUsageEventWithoutItsIdentityIsRefused() {
    assertThatThrownBy(() -> UsageEvent.publish(TestApp.shared().vertx(), new JsonObject().put("provider", "openai")))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
  }

  @Test
  void forwardedRequestsAreRefusedWithoutAToken() {
    Api api = TestApp.shared().api();
    Api.Resp r = api.call("getMetrics").header("x-forwarded-for", "203.0.113.9").send().expect(403);
    assertThat(r.error().getString("code")).isEqualTo("metrics_loopback_only");
    api.call("getMetrics").header("forwarded", "for=203.0.113.9").send().expect(403);
  }

  @Test
  void withATokenOnlyTheTokenOpensIt() {
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_METRICS_TOKEN", "metrics-token-0123456789"))) {
      Api api = app.api();
      assertThat(api.call("getMetrics").send().expect(401).error().getString("code")).isEqualTo("invalid_metrics_token");
      api.call("getMetrics").bearer("metrics-token-wrong").send().expect(401);
      api.call("getMetrics").header("x-api-key", "metrics-token-0123456789").send().expect(401);
      String text = api.call("getMetrics").bearer("metrics-token-0123456789").send().expect(200).text();
      assertThat(text).contains("vertx_http_server_requests_total");
      // a token also opens it to forwarded requests (a scraper behind the load balancer)
      api.call("getMetrics").bearer("metrics-token-0123456789").header("x-forwarded-for", "203.0.113.9").send()
        .expect(200);
    }
  }

  @Test
  void rateLimitRefusalsAndRedisFallbacksAreCounted() {
    try (RedisProcess redis = RedisProcess.start();
         TestApp app = TestApp.start(TestApp.env("CHRYSALIS_REDIS_URL", redis.url(), "CHRYSALIS_RATE_FREE_PER_MINUTE", "2"))) {
      Api api = app.api();
      Users.Registered user = Users.register(api);
      int limited = 0;
      for (int i = 0; i < 4; i++) {
        limited += api.call("getCurrentUser").bearer(user.token()).send().status() == 429 ? 1 : 0;
      }
      assertThat(limited).isPositive();
      redis.kill();
      for (int i = 0; i < 3; i++) {
        api.call("getCurrentUser").bearer(user.token()).send();
      }
      String text = api.call("getMetrics").send().expect(200).text();
      assertThat(text).containsPattern("forge_ratelimit_limited_total [1-9]");
      assertThat(text).containsPattern("forge_ratelimit_fallbacks_total\\{reason=\"redis\"} [1-9]");
      assertThat(text).containsPattern("vertx_http_server_requests_total\\{[^}]*code=\"429\"[^}]*route=\"/users/me\"");
    }
  }

  @Test
  void metricsCanBeSwitchedOff() {
    try (TestApp app = TestApp.start(TestApp.env("CHRYSALIS_METRICS_ENABLED", "false"))) {
      assertThat(app.api().call("getMetrics").send().expect(404).error().getString("code")).isEqualTo("metrics_disabled");
      app.api().call("getHealth").send().expect(200);
    }
  }
}
