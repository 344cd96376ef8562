package dev.chrysalis.forge.billing;

import io.vertx.core.Future;
import io.vertx.serviceproxy.ServiceException;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Blocking helpers for calling services over the bus from test threads. */
final class Bus {

  private Bus() {
  }

  static <T> T await(Future<T> f) {
    try {
      return f.await(30, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Asserts the call fails with this status and error code, and returns the failure. */
  static ServiceException failure(Future<?> f, int status, String code) {
    try {
      f.await(30, TimeUnit.SECONDS);
    } catch (ServiceException e) {
      assertThat(e.failureCode()).as("status of " + e.getMessage()).isEqualTo(status);
      assertThat(e.getDebugInfo().getString("code")).isEqualTo(code);
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a ServiceException " + status + " " + code + " but got " + e, e);
    }
    throw new AssertionError("expected a failure " + status + " " + code + " but the call succeeded");
  }
}
