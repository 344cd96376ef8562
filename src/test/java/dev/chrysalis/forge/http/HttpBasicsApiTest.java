package dev.chrysalis.forge.http;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;

/** Routing misses, request ids, CORS, the served contract and docs, and health. */
class HttpBasicsApiTest {

  private final Api api = TestApp.shared().api();

  @Test
  void unknownRouteIs404InOurShape() {
    Api.Resp r = api.raw("GET", "/no/such/route").send().expect(404);
    assertThat(r.error().getString("type")).isEqualTo("not_found");
    assertThat(r.error().getString("code")).isEqualTo("route_not_found");
    assertThat(r.header("x-request-id")).startsWith("req_");
  }

  @Test
  void wrongMethodIs405InOurShape() {
    Api.Resp r = api.raw("PUT", "/auth/login").send().expect(405);
    assertThat(r.error().getString("code")).isEqualTo("method_not_allowed");
  }

  @Test
  void aSaneIncomingRequestIdIsKeptAndAnInsaneOneReplaced() {
    assertThat(api.raw("GET", "/health").header("x-request-id", "trace-abc.123").send().header("x-request-id"))
      .isEqualTo("trace-abc.123");
    assertThat(api.raw("GET", "/health").header("x-request-id", "bad id with spaces\t").send().header("x-request-id"))
      .startsWith("req_");
  }

  @Test
  void corsPreflightIsAnswered() {
    Api.Resp r = api.raw("OPTIONS", "/users/me").header("Origin", "https://app.example")
      .header("Access-Control-Request-Method", "GET")
      .header("Access-Control-Request-Headers", "authorization").send();
    assertThat(r.status()).isIn(200, 204);
    assertThat(r.header("access-control-allow-origin")).isEqualTo("*");
  }

  @Test
  void browsersMayReadOurResponseHeaders() {
    Api.Resp r = api.call("getHealth").header("Origin", "https://app.example").send().expect(200);
    assertThat(r.header("access-control-expose-headers").split(","))
      .contains("x-request-id", "x-thread-id", "x-session-id", "retry-after", "x-ratelimit-remaining-requests");
  }

  @Test
  void theContractAndItsDocsAreServed() {
    Api.Resp yaml = api.raw("GET", "/openapi.yaml").send().expect(200);
    assertThat(yaml.header("content-type")).startsWith("application/yaml");
    assertThat(yaml.text()).contains("openapi: 3.1.0").contains("operationId: registerUser");
    Api.Resp docs = api.raw("GET", "/docs").send().expect(200);
    assertThat(docs.text()).contains("SwaggerUIBundle").contains("/openapi.yaml");
    Api.Resp js = api.raw("GET", "/docs/swagger-ui/swagger-ui-bundle.js").send().expect(200);
    assertThat(js.text().length()).isGreaterThan(100_000);
  }

  @Test
  void healthIsOkWithVersionAndTimestamp() {
    Api.Resp r = api.call("getHealth").send().expect(200);
    assertThat(r.json().getString("status")).isEqualTo("ok");
    assertThat(r.json().getString("version")).isNotBlank();
  }

  @Test
  void healthAndRequestsAre503WhenTheDatabaseIsGone() throws Exception {
    try (TestApp own = TestApp.start(TestApp.env())) {
      own.api().call("getHealth").send().expect(200);
      dev.chrysalis.forge.testing.Users.Registered u = dev.chrysalis.forge.testing.Users.register(own.api());
      String db = own.databaseUrl().substring(own.databaseUrl().lastIndexOf('/') + 1);
      try (Connection c = TestDatabase.connect(own.databaseUrl().replace("/" + db, "/postgres"))) {
        c.createStatement().execute("DROP DATABASE " + db + " WITH (FORCE)");
      }
      Api.Resp r = own.api().call("getHealth").send().expect(503);
      assertThat(r.json().getString("status")).isEqualTo("unavailable");
      assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo("database_unavailable");
      Api.Resp me = own.api().call("getCurrentUser").bearer(u.token()).send().expect(503);
      assertThat(me.error().getString("type")).isEqualTo("server_error");
      assertThat(me.error().getString("code")).isEqualTo("service_unavailable");
      assertThat(me.header("retry-after")).isEqualTo("1");
    }
  }
}
