package dev.chrysalis.forge.http;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.Contract;
import dev.chrysalis.forge.testing.TestApp;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every operation in the contract has a real handler (the router answers a bare, bodiless 503
 * for one without) and at least one test that calls it by name (so its responses are validated
 * against the contract).
 */
class ContractCoverageTest {

  @Test
  void everyOperationHasAHandler() {
    Api api = TestApp.shared().api();
    List<String> unhandled = new ArrayList<>();
    for (Operation op : Contract.get().operations()) {
      String path = op.getOpenAPIPath().replaceAll("\\{[^}]+}", "x");
      Api.Resp r = api.raw(op.getHttpMethod().name(), path).send();
      if (r.status() == 503 && r.text().isEmpty()) {
        unhandled.add(op.getOperationId());
      }
    }
    assertThat(unhandled).as("operations without a handler").isEmpty();
  }

  @Test
  void everyOperationIsCalledByATest() throws IOException {
    Set<String> called = new TreeSet<>();
    Pattern call = Pattern.compile("call\\(\"([A-Za-z0-9_]+)\"\\)");
    try (Stream<Path> files = Files.walk(Path.of("src", "test", "java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = call.matcher(Files.readString(f));
        while (m.find()) {
          called.add(m.group(1));
        }
      }
    }
    Set<String> missing = new TreeSet<>();
    for (Operation op : Contract.get().operations()) {
      if (!called.contains(op.getOperationId())) {
        missing.add(op.getOperationId());
      }
    }
    assertThat(missing).as("operations no test calls through Api.call(...)").isEmpty();
  }

  @Test
  void everyAuthenticatedOperationNamesItsScope() {
    List<String> missing = new ArrayList<>();
    for (Operation op : Contract.get().operations()) {
      boolean open = op.getSecurityRequirements() != null && op.getSecurityRequirements().stream().allMatch(r -> r.isEmpty());
      boolean explicitlyOpen = op.getOpenAPIModel().containsKey("security")
        && op.getOpenAPIModel().getJsonArray("security").isEmpty();
      if (!explicitlyOpen && !open && !(op.getExtensions().get("x-forge-scope") instanceof String)) {
        missing.add(op.getOperationId());
      }
    }
    assertThat(missing).as("authenticated operations without x-forge-scope").isEmpty();
  }
}
