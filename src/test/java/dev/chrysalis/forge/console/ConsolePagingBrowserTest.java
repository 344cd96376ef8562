package dev.chrysalis.forge.console;

import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lists longer than a page: the console shows the first page and a "Show more" button that
 * follows the API's cursor to the end, where the button goes away. Filters keep working over what
 * is loaded (the title) or go to the API (the status). Runs on the shared app, whose plan has no
 * object caps; everything is made through the API (the console asks for 100 threads a page, the
 * thread's detail brings 50 contexts and 50 threads per relation list).
 */
class ConsolePagingBrowserTest {

  private static final int THREADS = 230;
  private static final String ROWS = "main section[aria-label='Find threads'] table tbody tr";
  private static final String MORE = "main section[aria-label='Find threads'] button.more";
  private static final String NOTE = "main section[aria-label='Find threads'] .more-note";
  private static Api api;
  private ConsoleBrowser browser;

  @BeforeAll
  static void start() {
    api = TestApp.shared().api();
  }

  @BeforeEach
  void openBrowser() {
    browser = new ConsoleBrowser(api.baseUrl());
  }

  @AfterEach
  void closeBrowser() {
    browser.closeAfterCheckingConsole();
  }

  private static String title(int n) {
    return String.format("paged thread %03d", n);
  }

  /** The titles in the threads table, top to bottom. */
  private List<String> titles() {
    return browser.findAll(ROWS + " td:first-child").stream().map(WebElement::getText).toList();
  }

  /** Titles n down to m, newest first as the list shows them. */
  private static List<String> newestFirst(int n, int m) {
    return IntStream.iterate(n, i -> i >= m, i -> i - 1).mapToObj(ConsolePagingBrowserTest::title).toList();
  }

  @Test
  void threadsBeyondTheFirstPageAreReachedWithShowMoreUntilTheEnd() {
    Users.Registered u = Users.register(api);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= THREADS; i++) {
      ids.add(Workspaces.thread(api, u, new JsonObject().put("title", title(i))).getString("id"));
    }
    api.call("updateThread").bearer(u.token()).path("id", ids.get(4)).body(new JsonObject().put("status", "done"))
      .send().expect(200);

    browser.open("#/threads");
    browser.signIn(u.email(), Users.PASSWORD);
    browser.waitForHeading("Threads");
    browser.waitForCount(ROWS, 100);
    assertThat(titles()).isEqualTo(newestFirst(230, 131));
    assertThat(browser.text(NOTE)).isEqualTo("100 threads loaded; the server has more.");
    WebElement more = browser.find(MORE);
    assertThat(more.getText()).isEqualTo("Show more threads");
    assertThat(more.getAttribute("aria-describedby")).isEqualTo(browser.find(NOTE).getAttribute("id"));
    browser.script("arguments[0].scrollIntoView({block: 'center'})", more);
    browser.screenshot("17-paging-first-page");

    // the keyboard reaches it; focus stays on it while more remain
    more.sendKeys(Keys.ENTER);
    browser.waitForCount(ROWS, 200);
    assertThat(titles()).isEqualTo(newestFirst(230, 31));
    assertThat(browser.text(NOTE)).isEqualTo("200 threads loaded; the server has more.");
    assertThat(browser.script("return document.activeElement.textContent")).isEqualTo("Show more threads");

    // the title filter works over the loaded threads and says where the others are
    browser.fill("Filter threads", "Title contains", title(7));
    browser.waitForText("main section[aria-label='Find threads']", "No loaded thread matches: show more threads to search older ones.");
    assertThat(browser.findAll(ROWS)).isEmpty();

    browser.find(MORE).sendKeys(Keys.ENTER);
    browser.waitForCount(ROWS, 1);
    assertThat(titles()).containsExactly(title(7));
    assertThat(browser.findAll(MORE)).as("no Show more once the server has no more").isEmpty();
    assertThat(browser.text(NOTE)).isEqualTo("All 230 threads are shown.");
    assertThat(browser.script("return document.activeElement.className")).as("focus lands on the note").isEqualTo("muted more-note");
    browser.screenshot("18-paging-end");

    browser.field("Filter threads", "Title contains").clear();
    browser.field("Filter threads", "Title contains").sendKeys(" ");
    browser.waitForCount(ROWS, THREADS);
    assertThat(titles()).isEqualTo(newestFirst(230, 1));

    // the status filter goes to the API: the one done thread, from what was the third page
    new Select(browser.field("Filter threads", "Status")).selectByValue("done");
    browser.waitForCount(ROWS, 1);
    assertThat(titles()).containsExactly(title(5));
    assertThat(browser.findAll(MORE)).isEmpty();
  }

  @Test
  void aThreadsContextTreeContinuesAndACutRelationListIsReadInFull() {
    Users.Registered u = Users.register(api);
    JsonObject thread = Workspaces.thread(api, u, new JsonObject().put("title", "big tree"));
    String id = thread.getString("id");
    String first = null;
    for (int i = 1; i <= 60; i++) {
      JsonObject c = api.call("addThreadContext").bearer(u.token()).path("id", id)
        .body(new JsonObject().put("title", String.format("context %02d", i))).send().expect(201).json();
      first = first == null ? c.getString("id") : first;
    }
    // added last, so on the second page, under a parent from the first
    api.call("addThreadContext").bearer(u.token()).path("id", id)
      .body(new JsonObject().put("title", "late child").put("parent_id", first)).send().expect(201);
    for (int i = 1; i <= 51; i++) {
      Workspaces.thread(api, u, new JsonObject().put("title", String.format("child %02d", i)).put("parent_thread_id", id));
    }

    browser.open("#/threads/" + id);
    browser.signIn(u.email(), Users.PASSWORD);
    browser.waitForHeading("big tree");
    String tree = "main section[aria-label='Context tree']";
    browser.waitForCount(tree + " .tree li", 50);
    assertThat(browser.text(tree + " .more-note")).isEqualTo("50 contexts loaded; the server has more.");
    browser.find(tree + " button.more").click();
    browser.waitForCount(tree + " .tree li", 61);
    assertThat(browser.findAll(tree + " .tree > ul > li")).hasSize(60);
    assertThat(browser.find(tree + " .tree > ul > li:first-child").getText()).startsWith("context 01").contains("late child");
    assertThat(browser.findAll(tree + " button.more")).isEmpty();
    assertThat(browser.text(tree + " .more-note")).isEqualTo("All 61 contexts are shown.");

    String children = "main section[aria-label='Relations'] dd:nth-of-type(4)";
    assertThat(browser.findAll(children + " li")).hasSize(50);
    WebElement all = browser.find(children + " button");
    assertThat(all.getText()).isEqualTo("Show all child threads");
    all.sendKeys(Keys.ENTER);
    browser.waitForCount(children + " li", 51);
    assertThat(browser.text(children)).contains("child 01", "child 51");
    assertThat(browser.findAll(children + " button")).isEmpty();
    browser.screenshot("19-paging-thread");
  }
}
