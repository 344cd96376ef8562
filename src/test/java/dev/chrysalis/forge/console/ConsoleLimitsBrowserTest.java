package dev.chrysalis.forge.console;

import dev.chrysalis.forge.gateway.FakeProviders;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console shows the API's quota (402) and rate-limit (429) answers as such, on a server with
 * a one-message free plan, twelve requests a minute and a service OpenAI key at the fake provider.
 */
class ConsoleLimitsBrowserTest {

  private static FakeProviders fake;
  private static TestApp app;
  private static Api api;
  private ConsoleBrowser browser;

  @BeforeAll
  static void start() {
    fake = new FakeProviders();
    app = TestApp.start(TestApp.env(
      "CHRYSALIS_DEFAULT_PLAN", "free",
      "CHRYSALIS_FREE_DAILY_LIMIT", "1",
      "CHRYSALIS_RATE_FREE_PER_MINUTE", "12",
      "OPENAI_API_KEY", FakeProviders.OPENAI_KEY,
      "OPENAI_API_BASE", fake.base() + "/v1"));
    api = app.api();
  }

  @AfterAll
  static void stop() {
    app.close();
    fake.close();
  }

  @BeforeEach
  void openBrowser() {
    browser = new ConsoleBrowser(api.baseUrl());
  }

  @AfterEach
  void closeBrowser() {
    browser.closeAfterCheckingConsole();
  }

  @Test
  void theDailyQuotaIsShownAsSuchInThePlaygroundAndInUsage() {
    Users.Registered u = Users.register(api);
    browser.open("#/playground");
    browser.signIn(u.email(), Users.PASSWORD);
    browser.waitForHeading("Playground");
    new Select(browser.waitFor("#model")).selectByValue("gpt-4o-mini");
    browser.type("#prompt", "first");
    browser.find("#send").click();
    browser.waitFor(".bubble.assistant[data-done='true']");

    browser.type("#prompt", "second");
    browser.find("#send").click();
    browser.waitFor("main > .msg.error");
    assertThat(browser.text("main > .msg.error")).startsWith("Quota or payment needed:");
    assertThat(browser.find("main > .msg.error").getAttribute("role")).isEqualTo("alert");
    assertThat(browser.findAll(".bubble.assistant")).hasSize(1);
    browser.screenshot("14-quota");

    browser.open("#/usage");
    browser.waitForText("#quota-used", "1 of 1 message");
    assertThat(browser.text("main")).contains("0 left; the count resets at", "Free tier");
  }

  @Test
  void tooManyRequestsIsShownWithItsWait() {
    Users.Registered u = Users.register(api);
    browser.open("#/keys");
    browser.signIn(u.email(), Users.PASSWORD);
    browser.waitForHeading("API keys");
    String shown = null;
    for (int i = 0; i < 20 && shown == null; i++) {
      browser.driver().navigate().refresh();
      // the keys page ends either with its list (or the note that there is none) or with an error
      browser.waitFor("main .msg.error, main section[aria-label='Your keys'] table, main section[aria-label='Your keys'] p.muted");
      shown = browser.findAll("main .msg.error").stream().map(e -> e.getText())
        .filter(t -> t.startsWith("Too many requests:")).findFirst().orElse(null);
    }
    assertThat(shown).as("a 429 shown within 20 reloads at 12 requests a minute").isNotNull();
    assertThat(shown).containsPattern("(?i)(retry|try again).* \\d+ s");
    browser.screenshot("15-rate-limited");
  }
}
