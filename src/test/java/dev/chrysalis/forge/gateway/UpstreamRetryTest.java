package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.errors.Errors;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/** When and after how long a failed try is repeated (the API tests cover that it is). */
class UpstreamRetryTest {

  private static final UpstreamRetry.Settings SETTINGS = new UpstreamRetry.Settings(2, 500, 60_000);
  private static final long NOW = 1_800_000_000_000L;

  private static UpstreamRetry.Tried answered(int status, String body, String... headers) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    ServiceException e = UpstreamError.of("openai", status, Buffer.buffer(body), h.get("retry-after"), null);
    return new UpstreamRetry.Tried(new CallOutcome(e.failureCode(), Usage.NONE, "x", false, e), false, status, h);
  }

  private static long delay(UpstreamRetry.Tried t, int retriesDone, double random) {
    return UpstreamRetry.delayMs(t, retriesDone, SETTINGS, NOW, random);
  }

  @Test
  void waitsWhatTheUpstreamAskedRetryAfterMsFirst() {
    assertThat(delay(answered(429, "{}", "retry-after-ms", "250.5", "retry-after", "30"), 0, 0)).isEqualTo(251);
    assertThat(delay(answered(429, "{}", "retry-after", "2"), 0, 0)).isEqualTo(2_000);
    assertThat(delay(answered(503, "{}", "retry-after", "0.5"), 0, 0)).isEqualTo(500);
    String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(NOW + 10_000).atOffset(ZoneOffset.UTC));
    assertThat(delay(answered(529, "{}", "retry-after", inTenSeconds), 0, 0)).isEqualTo(10_000);
    String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(NOW - 10_000).atOffset(ZoneOffset.UTC));
    assertThat(delay(answered(529, "{}", "retry-after", past), 0, 0)).isZero();
    assertThat(delay(answered(429, "{}", "retry-after", "61"), 0, 0)).as("beyond the cap").isEqualTo(-1);
  }

  @Test
  void withoutAHintBacksOffExponentiallyWithJitter() {
    assertThat(delay(answered(500, "{}"), 0, 0)).isEqualTo(500);
    assertThat(delay(answered(500, "{}"), 1, 0)).isEqualTo(1_000);
    assertThat(delay(answered(500, "{}"), 1, 0.999)).isBetween(750L, 1_000L);
    assertThat(delay(answered(500, "{}", "retry-after", "soon"), 10, 0)).isEqualTo(UpstreamRetry.MAX_BACKOFF_MS);
  }

  @Test
  void onlyTransientFailuresAreRetried() {
    for (int status : new int[]{408, 409, 429, 500, 502, 503, 504, 529}) {
      assertThat(delay(answered(status, "{}"), 0, 0)).as("%d", status).isGreaterThanOrEqualTo(0);
    }
    for (int status : new int[]{400, 401, 402, 403, 404, 413, 422}) {
      assertThat(delay(answered(status, "{}"), 0, 0)).as("%d", status).isEqualTo(-1);
    }
    assertThat(delay(answered(429, "{\"error\":{\"message\":\"quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}"),
      0, 0)).isEqualTo(-1);
    ServiceException unreachable = UpstreamError.transport("openai", new java.net.ConnectException("refused"));
    assertThat(delay(new UpstreamRetry.Tried(new CallOutcome(502, Usage.NONE, "x", false, unreachable), true, 0, null), 0, 0))
      .isEqualTo(500);
    ServiceException timeout = Errors.error(504, "upstream_timeout", "first byte", null);
    assertThat(delay(new UpstreamRetry.Tried(new CallOutcome(504, Usage.NONE, "x", false, timeout), false, 0, null), 0, 0))
      .as("our own first-byte timeout").isEqualTo(-1);
    assertThat(delay(new UpstreamRetry.Tried(new CallOutcome(200, Usage.NONE, null, false, null), false, 200, null), 0, 0))
      .isEqualTo(-1);
  }
}
