package dev.chrysalis.forge.testing;

import io.vertx.core.Vertx;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;

import java.util.concurrent.TimeUnit;

/** The contract, loaded once per test JVM, and a response validator over it. */
public final class Contract {

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static ResponseValidator validator;

  private Contract() {
  }

  public static synchronized OpenAPIContract get() {
    if (contract == null) {
      vertx = Vertx.vertx();
      try {
        contract = OpenAPIContract.from(vertx, "openapi/forge.yaml").await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("contract does not load: " + e.getMessage(), e);
      }
      validator = ResponseValidator.create(vertx, contract);
    }
    return contract;
  }

  public static synchronized ResponseValidator validator() {
    get();
    return validator;
  }
}
