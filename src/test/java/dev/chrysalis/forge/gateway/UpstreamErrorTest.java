package dev.chrysalis.forge.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamErrorTest {

  private static final Credentials SERVICE = new Credentials("openai", "sk-service-secret-123", "https://x", false, null);
  private static final Credentials BYOK = new Credentials("openai", "sk-user-secret-456", "https://x", true, "pk_1");

  private static ServiceException of(int status, String body, Credentials c) {
    return UpstreamError.of("openai", status, Buffer.buffer(body), null, c);
  }

  @Test
  void everyErrorShapeIsRead() {
    assertThat(of(400, "{\"error\":{\"message\":\"bad field\",\"type\":\"invalid_request_error\"}}", SERVICE).getMessage()).contains("bad field");
    assertThat(of(401, "{\"error\":\"Unauthorized\"}", BYOK).getMessage()).contains("Unauthorized");
    assertThat(of(422, "{\"object\":\"error\",\"message\":{\"detail\":[{\"msg\":\"extra\"}]}}", SERVICE).getMessage()).contains("extra");
    assertThat(of(422, "{\"detail\":\"nope\"}", SERVICE).getMessage()).contains("nope");
    assertThat(of(400, "[{\"error\":{\"code\":400,\"message\":\"gem\",\"status\":\"INVALID_ARGUMENT\"}}]", SERVICE).getMessage()).contains("gem");
    assertThat(of(400, "<html>bad gateway</html>", SERVICE).getMessage()).isEqualTo("The openai provider rejected the request.");
    assertThat(of(422, "", SERVICE).failureCode()).isEqualTo(422);
  }

  @Test
  void keysAndUrlsAreRedacted() {
    ServiceException e = of(400, "{\"error\":{\"message\":\"key sk-service-secret-123 at https://internal.example/v1 "
      + "or AIzaSyA1234567890abcdef or Bearer abc\"}}", SERVICE);
    assertThat(e.getMessage()).doesNotContain("sk-service").doesNotContain("internal.example").doesNotContain("AIza")
      .doesNotContain("abc\"");
  }

  @Test
  void keyProblemsDependOnWhoseKeyItIs() {
    assertThat(of(401, "{}", SERVICE).failureCode()).isEqualTo(502);
    assertThat(of(401, "{}", BYOK).failureCode()).isEqualTo(401);
    assertThat(of(403, "{}", BYOK).failureCode()).isEqualTo(403);
    ServiceException gemini = of(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid\",\"status\":\"INVALID_ARGUMENT\","
      + "\"details\":[{\"reason\":\"API_KEY_INVALID\"}]}}", SERVICE);
    assertThat(gemini.failureCode()).isEqualTo(502);
    ServiceException quota = of(429, "{\"error\":{\"message\":\"quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}", BYOK);
    assertThat(quota.failureCode()).isEqualTo(402);
    assertThat(quota.getDebugInfo().getBoolean("should_retry")).isFalse();
  }

  @Test
  void statusMapping() {
    assertThat(UpstreamError.of("x", 429, null, "12", SERVICE).getDebugInfo().getLong("retry_after")).isEqualTo(12L);
    assertThat(UpstreamError.of("x", 529, null, null, SERVICE).failureCode()).isEqualTo(503);
    assertThat(UpstreamError.of("x", 504, null, null, SERVICE).failureCode()).isEqualTo(504);
    assertThat(UpstreamError.of("x", 500, null, null, SERVICE).failureCode()).isEqualTo(502);
    assertThat(UpstreamError.of("x", 413, null, null, SERVICE).failureCode()).isEqualTo(413);
    assertThat(UpstreamError.transport("x", new java.net.ConnectException("refused")).failureCode()).isEqualTo(502);
    assertThat(UpstreamError.transport("x", new io.netty.channel.ConnectTimeoutException("connection timed out")).failureCode())
      .isEqualTo(504);
  }
}
