package dev.chrysalis.forge.errors;

import io.vertx.core.VertxException;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Failures seen while PostgreSQL restarts (DatabaseOutageTest) map to 503, not 500. */
class ErrorsUnavailableTest {

  @Test
  void aConnectionClosedUnderARequestIsUnavailable() {
    VertxException closed = new VertxException("Connection is not active now, current status: CLOSED", true);
    assertThat(Errors.isUnavailable(closed)).isTrue();
    ServiceException mapped = (ServiceException) Errors.internal(new RuntimeException("wrapped", closed)).cause();
    assertThat(mapped.failureCode()).isEqualTo(503);
    assertThat(mapped.getDebugInfo().getString("code")).isEqualTo("service_unavailable");
  }

  @Test
  void aConnectionResetByTheServerIsUnavailable() {
    assertThat(Errors.isUnavailable(new RuntimeException(new java.net.SocketException("Connection reset")))).isTrue();
  }

  @Test
  void aBugIsStillInternal() {
    ServiceException mapped = (ServiceException) Errors.internal(new IllegalStateException("bug")).cause();
    assertThat(mapped.failureCode()).isEqualTo(500);
  }
}
