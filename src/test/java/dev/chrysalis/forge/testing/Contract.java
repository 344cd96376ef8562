package dev.chrysalis.forge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;

import java.util.Set;
import java.util.TreeSet;
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

  /**
   * The statuses the operation lists ("default" aside). The response validator accepts any status
   * through {@code default}, so a test that a status is part of the operation's contract asks here.
   */
  public static Set<String> documentedStatuses(String operationId) {
    JsonObject paths = get().getRawContract().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && operationId.equals(op.getString("operationId"))) {
          Set<String> out = new TreeSet<>(op.getJsonObject("responses").fieldNames());
          out.remove("default");
          return out;
        }
      }
    }
    throw new IllegalArgumentException("no operation " + operationId);
  }
}
