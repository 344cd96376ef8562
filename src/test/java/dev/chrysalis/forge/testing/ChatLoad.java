package dev.chrysalis.forge.testing;

import dev.chrysalis.forge.gateway.FakeProviders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A steady chat load for infrastructure-trouble tests: one client thread per user, each sending
 * non-streamed chat completions (a fake OpenAI answers) one after the other to the given nodes in
 * turn, remembering every answer's status, request id and error; optionally, alongside, clients
 * calling a public operation ({@code listPlans}, limited per client address) the same way.
 * Afterwards it checks what a user and the billing ledger must see: only 2xx, or 503 with
 * Retry-After in our error shape; and exactly one usage row per chat answered 2xx, with the day's
 * message counters matching.
 */
public final class ChatLoad implements AutoCloseable {

  /**
   * One answer. {@code userId} is null for a call of the public operation. {@code status} -1 = no
   * HTTP answer at all (connection refused or dropped); -2 = an answer outside the contract or
   * our error shape ({@code code} then says what was wrong).
   */
  public record Call(String userId, int status, String requestId, String code, String retryAfter, long atNanos) {

    public boolean chat() {
      return userId != null;
    }
  }

  /** Status of an answer that broke the contract or the error shape. */
  public static final int BROKEN = -2;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();

  /** The provider settings that point every chat at {@code fake}'s OpenAI, and billing limits out of the way. */
  public static Map<String, String> env(FakeProviders fake) {
    Map<String, String> env = new HashMap<>(TestApp.env(
      "OPENAI_API_BASE", fake.base() + "/v1", "OPENAI_API_KEY", FakeProviders.OPENAI_KEY,
      "CHRYSALIS_LIVE_MODELS", "openai",
      "CHRYSALIS_FREE_DAILY_LIMIT", "1000000"));
    return env;
  }

  public ChatLoad(List<Api> nodes, List<Users.Registered> users) {
    this(nodes, users, List.of());
  }

  /**
   * Also runs one client per entry of {@code publicClients} (each typically with its own
   * {@code X-Forwarded-For} address) calling the public {@code listPlans} one call after the other.
   */
  public ChatLoad(List<Api> nodes, List<Users.Registered> users, List<Api> publicClients) {
    for (Users.Registered user : users) {
      client("chat-load-" + user.id(), turn -> chat(nodes.get(turn % nodes.size()), user));
    }
    for (int i = 0; i < publicClients.size(); i++) {
      Api api = publicClients.get(i);
      client("public-load-" + i, turn -> listPlans(api));
    }
    threads.forEach(Thread::start);
  }

  private void client(String name, java.util.function.IntFunction<Call> call) {
    Thread t = new Thread(() -> {
      int turn = 0;
      while (running.get()) {
        calls.add(call.apply(turn++));
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, name);
    t.setDaemon(true);
    threads.add(t);
  }

  private static Call chat(Api api, Users.Registered user) {
    JsonObject body = new JsonObject().put("model", "gpt-4o-mini").put("messages", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "Say hello.")));
    return call(user.id(), () -> api.call("createChatCompletion").bearer(user.token()).body(body)
      .timeout(Duration.ofSeconds(30)).send());
  }

  private static Call listPlans(Api api) {
    return call(null, () -> api.call("listPlans").timeout(Duration.ofSeconds(30)).send());
  }

  /**
   * Sends one call and records its answer. An answer the contract does not allow (checked by
   * {@link Api}) or an error outside our shape is recorded as {@link #BROKEN}, never lost with
   * the client thread.
   */
  private static Call call(String userId, java.util.function.Supplier<Api.Resp> send) {
    Api.Resp r;
    try {
      r = send.get();
    } catch (AssertionError broken) {
      return new Call(userId, BROKEN, null, firstLine(broken.getMessage()), null, System.nanoTime());
    } catch (RuntimeException noAnswer) {
      return new Call(userId, -1, null, null, null, System.nanoTime());
    }
    String code = null;
    if (r.status() >= 400) {
      try {
        code = r.error().getString("code");
      } catch (AssertionError notOurShape) {
        return new Call(userId, BROKEN, r.header("x-request-id"), r.status() + " " + firstLine(notOurShape.getMessage()),
          null, System.nanoTime());
      }
    }
    return new Call(userId, r.status(), r.header("x-request-id"), code, r.header("Retry-After"), System.nanoTime());
  }

  private static String firstLine(String s) {
    return s == null ? "?" : s.lines().findFirst().orElse("?");
  }

  /** Stops the clients after their current call. */
  public List<Call> stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(60_000);
    }
    return calls();
  }

  public List<Call> calls() {
    return new ArrayList<>(calls);
  }

  /** Waits until at least {@code n} chats after {@code sinceNanos} were answered 2xx. */
  public void awaitSuccessesAfter(long sinceNanos, int n, Duration within) throws InterruptedException {
    awaitChats(sinceNanos, n, within, 200, "answered 2xx");
  }

  /** Waits until at least {@code n} chats after {@code sinceNanos} were answered with this status class (2 = 2xx) or status. */
  public void awaitChats(long sinceNanos, int n, Duration within, int status, String what) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (calls.stream().filter(c -> c.chat() && c.atNanos() > sinceNanos && sameStatus(c.status(), status)).count() >= n) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("fewer than " + n + " chats " + what + " within " + within);
  }

  private static boolean sameStatus(int actual, int expected) {
    return expected % 100 == 0 ? actual / 100 == expected / 100 : actual == expected;
  }

  /**
   * Every answer was 2xx, or 503 with Retry-After and our error shape, within the contract
   * (answers only: {@code -1} is no answer).
   */
  public static void assertOnly2xxOr503(List<Call> calls) {
    assertThat(calls).isNotEmpty();
    for (Call c : calls) {
      if (c.status() == -1) {
        continue;
      }
      assertThat(c.status()).as("an answer within the contract and our error shape: %s", c).isNotEqualTo(BROKEN);
      assertThat(c.status() / 100 == 2 || c.status() == 503).as("status of %s", c).isTrue();
      if (c.status() == 503) {
        assertThat(c.code()).as("error code of %s", c).isNotBlank();
        assertThat(c.retryAfter()).as("Retry-After of %s", c).isNotBlank();
      }
    }
  }

  /**
   * Waits (up to {@code within}) until the ledger holds as many rows for these users as chats were
   * answered 2xx, then checks: one row per 2xx request id, none for any other answer, and the
   * day's message counter of each user equal to its 2xx chats. Returns the count of 2xx chats.
   */
  public static long assertLedgerMatches(String databaseUrl, List<Call> calls, Duration within) throws Exception {
    Map<String, Long> okPerUser = new HashMap<>();
    List<String> okIds = new ArrayList<>();
    List<String> otherIds = new ArrayList<>();
    for (Call c : calls) {
      if (!c.chat()) {
        continue;
      }
      if (c.status() / 100 == 2) {
        okIds.add(c.requestId());
        okPerUser.merge(c.userId(), 1L, Long::sum);
      } else if (c.requestId() != null) {
        otherIds.add(c.requestId());
      }
    }
    List<String> users = new ArrayList<>(okPerUser.keySet());
    long deadline = System.nanoTime() + within.toNanos();
    long rows = -1;
    while (System.nanoTime() < deadline) {
      rows = count(databaseUrl, "SELECT count(*) FROM usage_events WHERE user_id = ANY(?)", users);
      if (rows >= okIds.size()) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(rows).as("usage rows of the load's users").isEqualTo(okIds.size());
    assertThat(count(databaseUrl, "SELECT count(DISTINCT client_request_id) FROM usage_events WHERE client_request_id = ANY(?)",
      okIds)).as("one row per call answered 2xx").isEqualTo(okIds.size());
    assertThat(count(databaseUrl, "SELECT count(*) FROM usage_events WHERE client_request_id = ANY(?)", otherIds))
      .as("no row for a call not answered 2xx").isZero();
    for (Map.Entry<String, Long> u : okPerUser.entrySet()) {
      assertThat(count(databaseUrl, "SELECT coalesce(sum(messages), 0) FROM usage_daily WHERE user_id = ANY(?)",
        List.of(u.getKey()))).as("message counter of %s", u.getKey()).isEqualTo(u.getValue());
    }
    return okIds.size();
  }

  private static long count(String databaseUrl, String sql, List<String> values) throws Exception {
    try (Connection c = TestDatabase.connect(databaseUrl); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setArray(1, c.createArrayOf("text", values.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  /** How long to let the load run before and after trouble. */
  public static void settle(long millis) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(millis);
  }
}
