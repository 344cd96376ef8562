package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.Api;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retries before the first byte (docs/operations.md, "Gateway"), against fake upstreams that fail a
 * given number of times and then answer. Every model name is unique, so the fake's count of calls
 * for it is this test's alone. Upstream waits up to 20 s are honoured here.
 */
class GatewayRetryApiTest {

  private static final AtomicLong NONCE = new AtomicLong(System.nanoTime() % 1_000_000);
  private static GatewayFixture f;

  @BeforeAll
  static void start() {
    // a plan with a daily limit, so every call takes a reservation these tests can watch
    f = new GatewayFixture("CHRYSALIS_UPSTREAM_RETRY_MAX_WAIT_MS", "20000", "CHRYSALIS_DEFAULT_PLAN", "pro",
      "CHRYSALIS_RATE_PRO_PER_MINUTE", "60000");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** The model name with a suffix no other call uses. */
  private static String unique(String model) {
    return model + "-n" + NONCE.incrementAndGet();
  }

  @ParameterizedTest
  @CsvSource({
    "gpt-4o-fail2x500, 2", "gpt-4o-fail1x408, 1", "gpt-4o-fail1x409, 1", "gpt-4o-fail2x503, 2",
    "claude-fail2x529, 2", "claude-fail1x500, 1", "gemini-fail2x503, 2", "command-fail2x500, 2",
    "mistral-fail1x502, 1", "ollama/llama-fail1x500, 1"})
  void upstreamFailuresBeforeTheFirstByteAreRetried(String base, int failures) throws Exception {
    String model = unique(base);
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(200);
    assertThat(r.json().getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
      .isEqualTo("Hello there!");
    assertThat(f.fake.calls(upstream(model))).isEqualTo(failures + 1);
    // one reservation for the client's request, consumed once, whatever the number of tries
    assertThat(f.settledReservations(r.header("x-request-id"))).containsExactly("consumed");
    assertThat(f.waitForUsage(f.user.id(), r.header("x-request-id"))).isNotNull();
  }

  private static String upstream(String model) {
    return model.startsWith("ollama/") ? model.substring("ollama/".length()) : model;
  }

  @Test
  void rateLimitsAreRetriedAfterTheWaitTheUpstreamAskedFor() {
    String zero = unique("gpt-4o-fail2x429-ra0s");
    f.chat(GatewayFixture.hello(zero)).expect(200);
    assertThat(f.fake.calls(zero)).isEqualTo(3);
    // retry-after-ms wins over retry-after: 30 s alone is beyond this app's 20 s and would not be retried
    String ms = unique("claude-fail2x429-rams5-ra30s");
    f.chat(GatewayFixture.hello(ms)).expect(200);
    assertThat(f.fake.calls(ms)).isEqualTo(3);
  }

  @Test
  void aWaitLongerThanTheCapIsNotRetriedAndTheClientGetsIt() {
    String model = unique("gpt-4o-fail1x429-ra30s");
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(429);
    assertThat(r.error().getString("code")).isEqualTo("upstream_rate_limited");
    assertThat(r.header("retry-after")).isEqualTo("30");
    assertThat(f.fake.calls(model)).isEqualTo(1);
  }

  @Test
  void aConnectionClosedBeforeAnyAnswerIsRetried() {
    String model = unique("gpt-4o-fail1xreset");
    f.chat(GatewayFixture.hello(model)).expect(200);
    assertThat(f.fake.calls(model)).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({
    "gpt-4o-fail3x500, 502, upstream_error", "claude-fail3x529, 503, upstream_unavailable",
    "gpt-4o-fail3x429-ra0s, 429, upstream_rate_limited", "command-fail3x503, 503, upstream_unavailable"})
  void threeFailuresAnswerTheLastErrorAsBefore(String base, int status, String code) throws Exception {
    String model = unique(base);
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(status);
    assertThat(r.error().getString("code")).isEqualTo(code);
    assertThat(f.fake.calls(model)).isEqualTo(3);
    assertThat(f.reservations(r.header("x-request-id"))).containsExactly("released");
    assertThat(f.usageRow(f.user.id(), r.header("x-request-id"))).isNull();
  }

  @Test
  void theNumberOfRetriesIsASetting() {
    try (GatewayFixture once = new GatewayFixture("CHRYSALIS_UPSTREAM_MAX_RETRIES", "0")) {
      String model = unique("gpt-4o-fail1x500");
      once.chat(GatewayFixture.hello(model)).expect(502);
      assertThat(once.fake.calls(model)).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @CsvSource({"gpt-4o-quota, 429", "claude-quota, 402", "command-quota, 402"})
  void quotaAndBillingRefusalsAreNeverRetried(String base, int upstreamStatus) {
    String model = unique(base);
    Api.Resp r = f.chat(GatewayFixture.hello(model)).expect(502);
    assertThat(r.error().getString("code")).isEqualTo("upstream_quota_exhausted");
    assertThat(r.header("x-should-retry")).isEqualTo("false");
    assertThat(f.fake.calls(model)).as("upstream answered %d", upstreamStatus).isEqualTo(1);
  }

  @Test
  void clientErrorsAreNotRetried() {
    for (String base : new String[]{"gpt-4o-fail1x400", "claude-fail1x404", "gpt-4o-fail1x401"}) {
      String model = unique(base);
      Api.Resp r = f.chat(GatewayFixture.hello(model));
      assertThat(r.status()).as(model).isBetween(400, 502);
      assertThat(f.fake.calls(model)).as(model).isEqualTo(1);
    }
  }

  // ---------------- streams ----------------

  @ParameterizedTest
  @CsvSource({"gpt-4o-fail1x500", "claude-fail2x529", "gemini-fail1x500", "command-fail1x503"})
  void aStreamThatFailsBeforeItsFirstByteIsRetried(String base) {
    String model = unique(base);
    Api.Resp r = f.chat(GatewayFixture.hello(model).put("stream", true)
      .put("stream_options", new JsonObject().put("include_usage", true))).expect(200);
    Sse sse = Sse.chat(r.text());
    assertThat(sse.text()).isEqualTo("Hello there!");
    assertThat(sse.endsWithDone()).isTrue();
    assertThat(sse.usageChunks()).hasSize(1);
    assertThat(f.fake.calls(model)).isEqualTo(base.contains("fail2") ? 3 : 2);
  }

  @ParameterizedTest
  @CsvSource({"gpt-4o-cut", "claude-cut", "gpt-4o-midstream", "claude-midstream"})
  void aStreamThatBrokeAfterItsFirstByteIsNotRetried(String base) throws Exception {
    String model = unique(base);
    Api.Resp r = f.chat(GatewayFixture.hello(model).put("stream", true)).expect(200);
    Sse sse = Sse.chat(r.text());
    assertThat(sse.last().getJsonObject("error")).isNotNull();
    assertThat(sse.endsWithDone()).isFalse();
    assertThat(f.fake.calls(model)).isEqualTo(1);
    // what was streamed is billed once
    assertThat(f.settledReservations(r.header("x-request-id"))).containsExactly("consumed");
  }

  // ---------------- the client going away ----------------

  @Test
  void aClientThatLeavesDuringTheWaitCancelsTheRetryAndPaysNothing() throws Exception {
    // the upstream asks for 19 s; the reservation given back long before proves the wait was cut short
    String model = unique("gpt-4o-fail1x503-ra19s");
    String requestId = "retry-leave-" + System.nanoTime();
    String body = GatewayFixture.hello(model).encode();
    URI base = URI.create(f.api.baseUrl());
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + base.getHost() + "\r\nX-Request-Id: " + requestId
        + "\r\nAuthorization: Bearer " + f.user.token()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      long deadline = System.currentTimeMillis() + 10_000;
      while (f.fake.calls(model) == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(f.fake.calls(model)).isEqualTo(1);
      // the gateway reads the 503 and starts its 19 s wait; leave well inside that wait
      Thread.sleep(1_000);
      InputStream in = s.getInputStream();
      assertThat(in.available()).as("nothing answered yet").isZero();
    }
    assertThat(f.settledReservations(requestId)).containsExactly("released");
    assertThat(f.fake.calls(model)).isEqualTo(1);
    assertThat(f.usageRow(f.user.id(), requestId)).isNull();
  }
}
