package dev.chrysalis.forge.testing;

import io.vertx.core.Future;
import io.vertx.junit5.VertxTestContext;
import io.vertx.serviceproxy.ServiceException;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Helpers for tests that call a service through its proxy inside a {@link VertxTestContext} flow
 * (vertx-junit5): the flow chains the proxy's futures, a refusal is a value the flow checks, and
 * the test thread waits for the flow before it looks at HTTP or the database.
 */
public final class BusFlow {

  private BusFlow() {
  }

  /** Waits for the flow (60 s at most: a loaded 2-core machine is slow, not broken) and rethrows what failed in it. */
  public static void await(VertxTestContext ctx) throws Throwable {
    assertThat(ctx.awaitCompletion(60, TimeUnit.SECONDS)).as("test flow completed").isTrue();
    if (ctx.failed()) {
      throw ctx.causeOfFailure();
    }
  }

  /**
   * "status code" of a call that must be refused, e.g. {@code "404 not_found"}; the future fails
   * when the call succeeded or failed with something other than a {@link ServiceException}.
   */
  public static Future<String> refusal(Future<?> call) {
    return call.transform(ar -> {
      if (ar.succeeded()) {
        return Future.failedFuture(new AssertionError("expected a refusal but the call succeeded: " + ar.result()));
      }
      if (ar.cause() instanceof ServiceException e) {
        String code = e.getDebugInfo() == null ? null : e.getDebugInfo().getString("code");
        return Future.succeededFuture(e.failureCode() + " " + code);
      }
      return Future.failedFuture(new AssertionError("expected a ServiceException but got " + ar.cause(), ar.cause()));
    });
  }

  /** The refusal itself, once checked to carry this status and error code. */
  public static Future<ServiceException> refused(Future<?> call, int status, String code) {
    return call.transform(ar -> {
      if (ar.succeeded()) {
        return Future.failedFuture(new AssertionError("expected " + status + " " + code + " but the call succeeded: "
          + ar.result()));
      }
      if (ar.cause() instanceof ServiceException e && e.failureCode() == status && e.getDebugInfo() != null
        && code.equals(e.getDebugInfo().getString("code"))) {
        return Future.succeededFuture(e);
      }
      return Future.failedFuture(new AssertionError("expected " + status + " " + code + " but got " + describe(ar.cause()),
        ar.cause()));
    });
  }

  private static String describe(Throwable t) {
    if (t instanceof ServiceException e) {
      return e.failureCode() + " " + (e.getDebugInfo() == null ? null : e.getDebugInfo().getString("code")) + " ("
        + e.getMessage() + ")";
    }
    return String.valueOf(t);
  }
}
