package dev.chrysalis.forge.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import dev.chrysalis.forge.logging.SelectableEncoder;
import dev.chrysalis.forge.testing.Api;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Log and metrics injection replayed through the API. A {@code model} with a newline once forged a
 * whole access-log line, and client-chosen model names became Prometheus label values (a series
 * per name). Now: every log event is one line in both shipped formats (text and JSON), whatever a
 * client put in a logged value; model labels are catalog ids or {@code other}.
 */
class LogAndMetricsInjectionApiTest {

  private static final String FORGED = "GET /admin/billing/status 200 1ms id=req_forged user=usr_admin";
  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    f = new GatewayFixture();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static Logger root() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** The console encoder the shipped logback.xml configured (text), and a JSON one as CHRYSALIS_LOG_FORMAT=json makes. */
  @SuppressWarnings("unchecked")
  private static List<Encoder<ILoggingEvent>> shippedEncoders() {
    Encoder<ILoggingEvent> text = ((OutputStreamAppender<ILoggingEvent>) root().getAppender("STDOUT")).getEncoder();
    SelectableEncoder json = new SelectableEncoder();
    json.setContext(root().getLoggerContext());
    json.setFormat("json");
    json.start();
    return List.of(text, json);
  }

  @Test
  void noClientValueCanEndALogLine() throws Exception {
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root().addAppender(captured);
    try {
      // a newline in the model: refused by the contract in our shape, nothing upstream
      long before = f.fake.seen.size();
      Api.Resp r = f.chat(GatewayFixture.hello("gpt-4o\n" + FORGED)).expect(400);
      assertThat(r.error().getString("param")).contains("model");
      assertThat(f.fake.seen.size()).isEqualTo(before);
      // separators the contract lets through reach the gateway's own log line (and the upstream)
      f.chat(GatewayFixture.hello("openai/zz-sep\u2028" + FORGED)).expect(200);
      f.chat(GatewayFixture.hello("openai/zz-nel\u0085" + FORGED + "\u009b31m")).expect(200);
      // a header value with a C1 control (Netty reads header bytes as ISO-8859-1)
      f.api.call("getCurrentUser").bearer(f.user.token()).header("user-agent", "agent\u0085" + FORGED).send().expect(200);
      Thread.sleep(200);
    } finally {
      root().detachAppender(captured);
    }
    List<ILoggingEvent> events = List.copyOf(captured.list);
    assertThat(events.stream().map(ILoggingEvent::getFormattedMessage))
      .anyMatch(m -> m.startsWith("chat provider=openai") && m.contains("\\u2028"))
      .anyMatch(m -> m.startsWith("chat provider=openai") && m.contains("\\u0085"));
    for (Encoder<ILoggingEvent> encoder : shippedEncoders()) {
      for (ILoggingEvent e : events) {
        String out = new String(encoder.encode(e), StandardCharsets.UTF_8);
        assertThat(out).as("one line per event").endsWith("\n");
        String body = out.substring(0, out.length() - 1);
        assertThat(body).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u2028").doesNotContain("\u2029")
          .doesNotContain("\u0085").doesNotContain("\u009b");
        assertThat(body).doesNotStartWith(FORGED);
      }
    }
  }

  private static double sum(String scrape, String metric, String mustContain) {
    return scrape.lines().filter(l -> l.startsWith(metric + "{") && l.contains(mustContain))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static Set<String> series(String scrape) {
    return scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
      .map(l -> l.substring(0, l.lastIndexOf(' '))).collect(Collectors.toSet());
  }

  @Test
  void aThousandModelNamesMakeNoNewSeries() throws Exception {
    Api.Resp warm = f.chat(GatewayFixture.hello("openai/zz-warm-up")).expect(200);
    f.api.call("retrieveModel").bearer(f.user.token()).path("id", "zz-warm-up").send();
    String first = waitForUsage(f.api.call("getMetrics").send().expect(200).text(), 1);
    Set<String> before = series(first);
    double usageBefore = sum(first, "forge_usage_events_total", "provider=\"openai\"");
    int names = 1000;
    for (int i = 0; i < names; i++) {
      f.chat(GatewayFixture.hello("openai/zz-injected-" + i + "-name")).expect(200);
      // the model lookup route too: unknown names are 404, each under the route template
      f.api.call("retrieveModel").bearer(f.user.token()).path("id", "zz-looked-up-" + i).send();
      if (i % 10 == 0) {
        // paths no route matches, and methods nobody serves, are client-chosen too
        f.api.raw("GET", "/zz-path-" + i).bearer(f.user.token()).send();
        f.api.raw("ZZMETHOD" + i, "/v1/models").bearer(f.user.token()).send();
      }
    }
    String after = waitForUsage(first, usageBefore + names);
    assertThat(after).doesNotContain("zz-injected").doesNotContain("zz-looked-up").doesNotContain("zz-warm-up")
      .doesNotContain("zz-path").doesNotContain("ZZMETHOD");
    assertThat(sum(after, "forge_tokens_total", "model=\"other\",provider=\"openai\"")).isPositive();
    Set<String> added = series(after);
    added.removeAll(before);
    // a histogram bucket set or a pool gauge may appear on first use; never one per name
    assertThat(added).as("series added by %d distinct names: %s", names, added).hasSizeLessThan(50);
    assertThat(warm.status()).isEqualTo(200);
  }

  /** Scrapes until the openai usage-event counter reaches {@code atLeast} (usage is recorded after each answer). */
  private static String waitForUsage(String scrape, double atLeast) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    String text = scrape;
    while (sum(text, "forge_usage_events_total", "provider=\"openai\"") < atLeast && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      text = f.api.call("getMetrics").send().expect(200).text();
    }
    return text;
  }
}
