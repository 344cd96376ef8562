package dev.chrysalis.forge.abuse;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.RawHttp;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Replays the body abuse against a running service: bodies sent without credentials, to unknown
 * routes, over the budgets, too slowly, too many connections from one address. The service
 * answers each in our shape, holds no more body memory than its budgets, and keeps answering.
 */
class BodyIntakeApiTest {

  private static final int MIB = 1024 * 1024;
  private static final int DEADLINE_MS = 5000;
  private static TestApp app;
  private static Api api;

  @BeforeAll
  static void start() {
    app = TestApp.start(TestApp.env(
      "CHRYSALIS_TRUSTED_PROXIES", "127.0.0.1",
      "CHRYSALIS_RATE_PUBLIC_PER_MINUTE", "20",
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "20",
      "CHRYSALIS_BODY_DEADLINE_MS", String.valueOf(DEADLINE_MS),
      "CHRYSALIS_MAX_CONNECTIONS_PER_CLIENT", "6",
      "CHRYSALIS_BODY_MEMORY_BYTES", String.valueOf(16 * MIB),
      "CHRYSALIS_BODY_MEMORY_PER_CLIENT_BYTES", String.valueOf(8 * MIB)));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void unknownRouteWithALargeBodyIsAnsweredBeforeTheBodyIsSent() throws Exception {
    try (RawHttp c = new RawHttp(api.baseUrl(), 30_000)) {
      RawHttp.Response r = c.head("POST /no/such/route HTTP/1.1\nHost: x\nContent-Type: application/json\n"
        + "Content-Length: " + (4 * MIB)).read();
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.error().getString("code")).isEqualTo("route_not_found");
    }
  }

  @Test
  void bodyWithoutCredentialsIsAnsweredBeforeItIsSentAndItsRestDiscarded() throws Exception {
    try (RawHttp c = new RawHttp(api.baseUrl(), 30_000)) {
      RawHttp.Response r = c.head("POST /v1/chat/completions HTTP/1.1\nHost: x\nContent-Type: application/json\n"
        + "Content-Length: " + (4 * MIB)).read();
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.error().getString("type")).isEqualTo("authentication_error");
      // the rest of the body is read and dropped, and the connection then serves the next request
      c.fill(4 * MIB);
      RawHttp.Response health = c.head("GET /health HTTP/1.1\nHost: x").read();
      assertThat(health.status()).isEqualTo(200);
    }
  }

  @Test
  void unauthenticatedConnectionsHoldingHugeBodiesDoNotGrowTheHeap() throws Exception {
    int connections = 80;
    long before = heapAfterGc();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<RawHttp> held = new ArrayList<>();
    try {
      List<Future<RawHttp.Response>> answers = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        RawHttp c = new RawHttp(api.baseUrl(), 60_000);
        held.add(c);
        // announce the full limit, send all of it but the last byte, and hold the connection
        answers.add(pool.submit(() -> {
          c.head("POST /v1/chat/completions HTTP/1.1\nHost: x\nContent-Type: application/json\n"
            + "Content-Length: " + (4 * MIB)).fill(4L * MIB - 1);
          return c.read();
        }));
      }
      int refused = 0;
      for (Future<RawHttp.Response> a : answers) {
        if (a.get(120, TimeUnit.SECONDS).status() == 401) {
          refused++;
        }
      }
      assertThat(refused).isEqualTo(connections);
      long grown = heapAfterGc() - before;
      // 80 buffered bodies would be 320 MiB; what remains is connection bookkeeping
      assertThat(grown).as("heap growth in bytes").isLessThan(48L * MIB);
      assertThat(bodyBytesInFlight()).isZero();
      assertThat(api.raw("GET", "/health").send().status()).isEqualTo(200);
      // the bodies never end: each connection is closed at the deadline
      int closed = 0;
      for (RawHttp c : held) {
        if (c.closedByServer()) {
          closed++;
        }
      }
      assertThat(closed).isEqualTo(connections);
    } finally {
      pool.shutdownNow();
      for (RawHttp c : held) {
        c.close();
      }
    }
  }

  @Test
  void oneClientMayHaveOnlyItsBudgetOfBodiesInFlight() throws Exception {
    Users.Registered u = Users.register(api);
    List<RawHttp> conns = new ArrayList<>();
    try {
      // 8 MiB per client: two bodies of 4 MiB - 1 fit, a third does not; an IPv6 client is its /64
      for (int i = 1; i <= 2; i++) {
        conns.add(slowBody(u, "2001:db8:1:1::" + i));
      }
      Workspaces.eventually(() -> bodyBytesInFlight() == 2L * (4 * MIB - 1));
      List<RawHttp.Response> refused = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        RawHttp c = slowBody(u, "2001:db8:1:1:" + (i + 3) + "::7");
        conns.add(c);
        refused.add(c.read());
      }
      assertThat(refused).extracting(RawHttp.Response::status).containsOnly(429);
      assertThat(refused.get(0).error().getString("code")).isEqualTo("too_many_bodies_in_flight");
      assertThat(refused.get(0).headers().get("retry-after")).isEqualTo("1");
      // another client is not affected
      try (RawHttp other = slowBody(u, "2001:db8:1:2::1")) {
        assertThat(api.raw("GET", "/health").send().status()).isEqualTo(200);
        // the bodies that were let in never complete: the deadline answers 408 and closes
        assertThat(other.read().status()).isEqualTo(408);
      }
      for (int i = 0; i < 2; i++) {
        RawHttp.Response late = conns.get(i).read();
        assertThat(late.status()).isEqualTo(408);
        assertThat(late.error().getString("code")).isEqualTo("body_timeout");
        assertThat(conns.get(i).closedByServer()).isTrue();
      }
      Workspaces.eventually(() -> bodyBytesInFlight() == 0);
    } finally {
      for (RawHttp c : conns) {
        c.close();
      }
    }
  }

  @Test
  void theNodeHoldsNoMoreThanItsBudgetWhateverTheNumberOfClients() throws Exception {
    Users.Registered u = Users.register(api);
    List<RawHttp> conns = new ArrayList<>();
    try {
      // 16 MiB per node: four bodies of 4 MiB - 1 from four clients fit, a fifth client's does not
      for (int i = 1; i <= 4; i++) {
        conns.add(slowBody(u, "10.2.0." + i));
      }
      Workspaces.eventually(() -> bodyBytesInFlight() == 4L * (4 * MIB - 1));
      for (int i = 5; i <= 7; i++) {
        RawHttp c = slowBody(u, "10.2.0." + i);
        conns.add(c);
        RawHttp.Response r = c.read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.error().getString("code")).isEqualTo("server_busy");
        assertThat(r.headers().get("retry-after")).isEqualTo("1");
      }
      assertThat(bodyBytesInFlight()).isEqualTo(4L * (4 * MIB - 1));
      assertThat(api.raw("GET", "/health").send().status()).isEqualTo(200);
      for (int i = 0; i < 4; i++) {
        assertThat(conns.get(i).read().status()).isEqualTo(408);
      }
      Workspaces.eventually(() -> bodyBytesInFlight() == 0);
    } finally {
      for (RawHttp c : conns) {
        c.close();
      }
    }
  }

  @Test
  void refusedAndInvalidBodiesCountTowardTheUsersRateLimit() throws Exception {
    Users.Registered u = Users.register(api);
    for (int i = 0; i < 10; i++) {
      try (RawHttp c = new RawHttp(api.baseUrl(), 30_000)) {
        RawHttp.Response r = c.head("POST /v1/projects HTTP/1.1\nHost: x\nAuthorization: Bearer " + u.token()
          + "\nContent-Type: application/json\nContent-Length: " + (5 * MIB)).read();
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error().getString("type")).isEqualTo("request_too_large");
      }
    }
    for (int i = 0; i < 10; i++) {
      api.call("createProject").bearer(u.token()).body("{\"name\": [").send().expect(400);
    }
    try (RawHttp c = new RawHttp(api.baseUrl(), 30_000)) {
      // refused by the limit before its body is sent
      RawHttp.Response r = c.head("POST /v1/projects HTTP/1.1\nHost: x\nAuthorization: Bearer " + u.token()
        + "\nContent-Type: application/json\nContent-Length: 100").read();
      assertThat(r.status()).isEqualTo(429);
      assertThat(r.error().getString("code")).isEqualTo("rate_limit_exceeded");
    }
    assertThat(Workspaces.count(app, "SELECT count(*) FROM projects WHERE owner_id = '" + u.id() + "'")).isZero();
  }

  @Test
  void publicOperationsTakeSmallBodiesAndOversizedOnesCountTowardTheAddressLimit() throws Exception {
    Api client = api.withHeader("X-Forwarded-For", "10.3.0.1");
    String big = new JsonObject().put("email", Users.uniqueEmail()).put("password", "p".repeat(20_000)).encode();
    for (int i = 0; i < 20; i++) {
      Api.Resp r = client.call("loginUser").body(big).send().expect(413);
      assertThat(r.error().getString("type")).isEqualTo("request_too_large");
    }
    Api.Resp limited = client.call("loginUser")
      .body(new JsonObject().put("email", Users.uniqueEmail()).put("password", "whatever-password")).send().expect(429);
    assertThat(limited.error().getString("code")).isEqualTo("rate_limit_exceeded");
  }

  @Test
  void connectionsPerAddressAreCapped() throws Exception {
    List<RawHttp> open = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        RawHttp c = new RawHttp(api.baseUrl(), 10_000, "127.0.0.9");
        open.add(c);
        assertThat(c.head("GET /health HTTP/1.1\nHost: x").read().status()).isEqualTo(200);
      }
      // (the server sees a connection once its first bytes arrive)
      try (RawHttp seventh = new RawHttp(api.baseUrl(), 10_000, "127.0.0.9")) {
        seventh.head("GET /health HTTP/1.1\nHost: x");
        assertThatThrownBy(seventh::read).isInstanceOf(IOException.class);
      }
      // another address is not affected
      try (RawHttp other = new RawHttp(api.baseUrl(), 10_000, "127.0.0.10")) {
        assertThat(other.head("GET /health HTTP/1.1\nHost: x").read().status()).isEqualTo(200);
      }
      assertThat(metric("forge_http_connections_refused_total")).isGreaterThanOrEqualTo(1);
      // a closed connection frees its place
      open.remove(0).close();
      Workspaces.eventually(() -> {
        try (RawHttp again = new RawHttp(api.baseUrl(), 10_000, "127.0.0.9")) {
          return again.head("GET /health HTTP/1.1\nHost: x").read().status() == 200;
        } catch (IOException refused) {
          return false;
        }
      });
    } finally {
      for (RawHttp c : open) {
        c.close();
      }
    }
  }

  @Test
  void aMissingRequiredBodyIsNamedAsMissing() {
    Users.Registered u = Users.register(api);
    Api.Resp r = api.call("createProject").bearer(u.token()).header("Content-Type", "application/json").send().expect(400);
    assertThat(r.error().getString("code")).isEqualTo("missing_parameter");
    Api.Resp empty = api.call("createProject").bearer(u.token()).body("").send().expect(400);
    assertThat(empty.error().getString("code")).isEqualTo("missing_parameter");
  }

  @Test
  void bodiesSentOverHttp2AreReadAfterAuthenticationToo() throws Exception {
    Users.Registered u = Users.register(api);
    io.vertx.core.http.HttpClient client = app.vertx().createHttpClient(new io.vertx.core.http.HttpClientOptions()
      .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      java.net.URI base = java.net.URI.create(api.baseUrl());
      JsonObject created = send(client, base, u.token(), new JsonObject().put("name", "over h2").toBuffer());
      assertThat(created.getString("version")).isEqualTo("HTTP_2");
      assertThat(created.getInteger("status")).as(created.encode()).isEqualTo(201);
      JsonObject unauthenticated = send(client, base, null, io.vertx.core.buffer.Buffer.buffer(new byte[2 * MIB]));
      assertThat(unauthenticated.getInteger("status")).isEqualTo(401);
      JsonObject tooLarge = send(client, base, u.token(), io.vertx.core.buffer.Buffer.buffer(new byte[4 * MIB + 1]));
      assertThat(tooLarge.getInteger("status")).isEqualTo(413);
    } finally {
      client.close();
    }
  }

  private static JsonObject send(io.vertx.core.http.HttpClient client, java.net.URI base, String token,
                                 io.vertx.core.buffer.Buffer body) throws Exception {
    return client.request(io.vertx.core.http.HttpMethod.POST, base.getPort(), base.getHost(), "/v1/projects")
      .compose(req -> {
        req.putHeader("content-type", "application/json");
        if (token != null) {
          req.putHeader("authorization", "Bearer " + token);
        }
        return req.send(body);
      })
      .compose(res -> res.body().map(b -> new JsonObject().put("status", res.statusCode())
        .put("version", res.version().name()).put("body", b.toString())))
      .await(60, TimeUnit.SECONDS);
  }

  /** An authenticated chat request from {@code clientIp} announcing 4 MiB - 1 and sending 1,000 bytes of it. */
  private static RawHttp slowBody(Users.Registered u, String clientIp) throws IOException {
    RawHttp c = new RawHttp(api.baseUrl(), 60_000);
    c.head("POST /v1/chat/completions HTTP/1.1\nHost: x\nAuthorization: Bearer " + u.token()
      + "\nX-Forwarded-For: " + clientIp + "\nContent-Type: application/json\nContent-Length: " + (4 * MIB - 1));
    c.fill(1000);
    return c;
  }

  private static long bodyBytesInFlight() {
    return metric("forge_http_body_bytes_in_flight");
  }

  private static long metric(String name) {
    for (String line : api.raw("GET", "/metrics").send().expect(200).text().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no metric " + name);
  }

  private static long heapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
