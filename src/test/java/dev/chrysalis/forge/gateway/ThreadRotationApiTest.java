package dev.chrysalis.forge.gateway;

import dev.chrysalis.forge.testing.TestDatabase;
import dev.chrysalis.forge.testing.Users;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session rotation completes with a summary longer than a thread can store, a failed rotation is
 * not repeated on every later message (upstream summary calls counted), and a thread message
 * sends only the history that fits its token budget.
 */
class ThreadRotationApiTest {

  private static GatewayFixture rotating;
  private static GatewayFixture budget;

  @BeforeAll
  static void start() {
    // a session rotates once it holds 4 messages; a failed rotation waits an hour
    rotating = new GatewayFixture("CHRYSALIS_THREAD_MAX_MESSAGES", "4", "CHRYSALIS_THREAD_ROTATION_RETRY_MS", "3600000");
    // 2,000 tokens = 6,000 bytes of prompt; the fake reports 12 tokens a call, so no rotation here
    budget = new GatewayFixture("CHRYSALIS_THREAD_MAX_TOKENS", "2000");
  }

  @AfterAll
  static void stop() {
    rotating.close();
    budget.close();
  }

  @AfterEach
  void reset() {
    rotating.fake.summaryAnswer = null;
    rotating.fake.summaryStatus = 0;
  }

  private static String thread(GatewayFixture f, Users.Registered user) {
    return f.api.call("createThread").bearer(user.token()).body(new JsonObject().put("title", "rotation")).send()
      .expect(201).json().getString("id");
  }

  private static JsonObject send(GatewayFixture f, Users.Registered user, String threadId, String content) {
    return f.api.call("sendThreadMessage").path("id", threadId).bearer(user.token())
      .body(new JsonObject().put("content", content)).send().expect(200).json();
  }

  @Test
  void aSummaryLongerThanTheThreadHoldsIsCutAndTheSessionRotates() throws Exception {
    Users.Registered user = Users.register(rotating.api);
    String threadId = thread(rotating, user);
    // 30,000 characters, with a surrogate pair where the cut falls
    rotating.fake.summaryAnswer = "s".repeat(19_998) + "😀" + "t".repeat(10_000);
    int before = rotating.fake.summaryCalls.get();
    String first = send(rotating, user, threadId, "one").getString("session_id");
    send(rotating, user, threadId, "two");
    eventually(() -> "archived".equals(sessionStatus(first)));

    String summary = rotating.api.call("getThread").path("id", threadId).bearer(user.token()).send().expect(200).json()
      .getString("summary");
    assertThat(summary).hasSizeLessThanOrEqualTo(20_000).startsWith("sss").endsWith("…");
    assertThat(Character.isHighSurrogate(summary.charAt(summary.length() - 2))).isFalse();
    assertThat(rotating.fake.summaryCalls.get() - before).isEqualTo(1);

    // the next message opens a new session that starts from the summary, and summarizes nothing
    JsonObject third = send(rotating, user, threadId, "after the summary");
    assertThat(third.getString("session_id")).isNotEqualTo(first);
    assertThat(rotating.fake.summaryCalls.get() - before).isEqualTo(1);
    String system = rotating.fake.seen.stream().map(FakeProviders.Seen::body)
      .map(b -> b.getJsonArray("messages", new JsonArray()))
      .filter(m -> !m.isEmpty() && "after the summary".equals(m.getJsonObject(m.size() - 1).getString("content")))
      .findFirst().orElseThrow().getJsonObject(0).getString("content");
    assertThat(system).contains("Summary of the thread so far:\nsss");
  }

  @Test
  void aFailedRotationIsRecordedAndNotRepeatedOnEveryMessage() throws Exception {
    Users.Registered user = Users.register(rotating.api);
    String threadId = thread(rotating, user);
    rotating.fake.summaryStatus = 400;
    int before = rotating.fake.summaryCalls.get();
    String session = send(rotating, user, threadId, "one").getString("session_id");
    send(rotating, user, threadId, "two");
    eventually(() -> rotationAttempts(session) == 1);
    assertThat(rotating.fake.summaryCalls.get() - before).isEqualTo(1);

    // every later message is past the limit, yet none summarizes again while the backoff runs
    for (String content : List.of("three", "four", "five")) {
      assertThat(send(rotating, user, threadId, content).getString("session_id")).isEqualTo(session);
    }
    assertThat(rotating.fake.summaryCalls.get() - before).isEqualTo(1);
    assertThat(sessionStatus(session)).isEqualTo("active");
    assertThat(query("SELECT rotation_not_before > now() + interval '50 minutes' FROM sessions WHERE id = '" + session + "'"))
      .isEqualTo("t");

    // once the backoff has passed (moved here instead of waiting an hour) the next message rotates it
    rotating.fake.summaryStatus = 0;
    query("UPDATE sessions SET rotation_not_before = now() - interval '1 second' WHERE id = '" + session + "' RETURNING id");
    send(rotating, user, threadId, "six");
    eventually(() -> "archived".equals(sessionStatus(session)));
    assertThat(rotating.fake.summaryCalls.get() - before).isEqualTo(2);
  }

  @Test
  void concurrentMessagesPastTheLimitSummarizeOnce() throws Exception {
    Users.Registered user = Users.register(rotating.api);
    String threadId = thread(rotating, user);
    rotating.fake.summaryStatus = 400;
    int before = rotating.fake.summaryCalls.get();
    String session = send(rotating, user, threadId, "one").getString("session_id");
    send(rotating, user, threadId, "two");
    eventually(() -> rotationAttempts(session) == 1);
    rotating.fake.summaryStatus = 0;
    query("UPDATE sessions SET rotation_not_before = NULL WHERE id = '" + session + "' RETURNING id");

    Thread[] senders = new Thread[4];
    for (int i = 0; i < senders.length; i++) {
      String content = "together " + i;
      senders[i] = new Thread(() -> rotating.api.call("sendThreadMessage").path("id", threadId).bearer(user.token())
        .body(new JsonObject().put("content", content)).send());
      senders[i].start();
    }
    for (Thread t : senders) {
      t.join(60_000);
    }
    eventually(() -> "archived".equals(sessionStatus(session)));
    // Senders that arrive after the archive fill the thread's next session, which may rotate in
    // its turn; a session is archived once, so one summary per archived session plus the failed
    // attempt means the four messages that arrived together summarized the full session once.
    eventually(() -> rotating.fake.summaryCalls.get() - before == 1 + archivedSessions(threadId));
    assertThat(rotating.fake.summaryCalls.get() - before).isEqualTo(1 + archivedSessions(threadId));
    assertThat(archivedSessions(threadId)).isBetween(1, 2);
  }

  private static int archivedSessions(String threadId) {
    return Integer.parseInt(query("SELECT count(*) FROM sessions WHERE thread_id = '" + threadId + "' AND status = 'archived'"));
  }

  @Test
  void aThreadMessageSendsOnlyTheHistoryThatFitsItsBudget() {
    Users.Registered user = Users.register(budget.api);
    String threadId = thread(budget, user);
    send(budget, user, threadId, "a".repeat(2_500));
    send(budget, user, threadId, "b".repeat(2_500));
    send(budget, user, threadId, "c".repeat(2_500));
    // 6,000 bytes less the system prompt and the new 2,500: the newest exchange fits, the oldest not
    JsonArray messages = budget.fake.seen.stream().map(FakeProviders.Seen::body)
      .map(b -> b.getJsonArray("messages", new JsonArray()))
      .filter(m -> !m.isEmpty() && m.getJsonObject(m.size() - 1).getString("content").startsWith("ccc"))
      .findFirst().orElseThrow();
    List<String> contents = messages.stream().map(m -> ((JsonObject) m).getString("content").substring(0, 3)).toList();
    assertThat(contents).containsExactly("You", "Hel", "bbb", "Hel", "ccc");
    long bytes = messages.stream().mapToLong(m -> ((JsonObject) m).getString("content").length()).sum();
    assertThat(bytes).isLessThanOrEqualTo(2_000 * 3);
    // everything is still stored: the session holds all six messages
    String sessionId = send(budget, user, threadId, "d").getString("session_id");
    JsonObject session = budget.api.call("getSession").path("id", sessionId).bearer(user.token()).send().expect(200).json();
    assertThat(session.getJsonArray("messages").size()).isEqualTo(8);
  }

  private static String sessionStatus(String sessionId) {
    return query("SELECT status FROM sessions WHERE id = '" + sessionId + "'");
  }

  private static int rotationAttempts(String sessionId) {
    return Integer.parseInt(query("SELECT rotation_attempts FROM sessions WHERE id = '" + sessionId + "'"));
  }

  private static String query(String sql) {
    try (Connection c = TestDatabase.connect(rotating.app.databaseUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("condition reached within 15 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
