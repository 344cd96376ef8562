package dev.chrysalis.forge.console;

import dev.chrysalis.forge.gateway.FakeProviders;
import dev.chrysalis.forge.testing.Api;
import dev.chrysalis.forge.testing.TestApp;
import dev.chrysalis.forge.testing.Users;
import dev.chrysalis.forge.testing.Workspaces;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser (headless chromium) against a real service: what a person does,
 * what they see, and what the server stored.
 */
class ConsoleBrowserTest {

  private static final String OPERATOR = "ops-console-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@example.test";
  private static final java.util.regex.Pattern MAIL_LINK = java.util.regex.Pattern.compile("http://localhost:8080(/#/[a-z]+(?:/[A-Za-z0-9_-]+)?\\?token=[A-Za-z0-9_-]+)");
  private static FakeProviders fake;
  private static TestApp app;
  private static Api api;
  private ConsoleBrowser browser;

  @BeforeAll
  static void start() {
    fake = new FakeProviders();
    app = TestApp.start(TestApp.env("CHRYSALIS_DEFAULT_PLAN", "enterprise", "CHRYSALIS_ADMIN_EMAILS", OPERATOR));
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
  void closeBrowser(TestInfo info) {
    try {
      browser.screenshot(info.getTestMethod().map(m -> m.getName()).orElse("test") + "-last");
    } finally {
      browser.closeAfterCheckingConsole();
    }
  }

  private void signUp(String email) {
    browser.waitForHeading("Create an account");
    browser.fill("Create an account", "Email", email);
    browser.fill("Create an account", "Password", Users.PASSWORD);
    browser.submit("Create an account");
  }

  private void signIn(String email) {
    browser.waitForHeading("Sign in");
    browser.fill("Sign in", "Email", email);
    browser.fill("Sign in", "Password", Users.PASSWORD);
    browser.submit("Sign in");
  }

  @Test
  void signUpCreateKeyAddProviderKeyChatAndSeeTheCallInUsage() {
    browser.open("");
    browser.waitForHeading("Sign in");
    browser.screenshot("01-sign-in");
    browser.find("main a[href^='#/signup']").click();
    String email = Users.uniqueEmail();
    signUp(email);
    browser.waitForHeading("API keys");

    // an API key: shown once, usable, gone after a reload
    browser.fill("Create an API key", "Name", "ci key");
    browser.submit("Create an API key");
    String key = browser.waitFor("#new-api-key").getAttribute("value");
    assertThat(key).matches("chs_[0-9A-Za-z]{43}");
    assertThat(browser.text("main section[role='alert']")).contains("shown only this once");
    browser.waitForText("main table", "ci key");
    browser.screenshot("02-api-key-shown-once");
    api.call("getCurrentUser").bearer(key).send().expect(200);
    browser.driver().navigate().refresh();
    browser.waitForText("main table", "ci key");
    assertThat(browser.findAll("#new-api-key")).isEmpty();
    assertThat(browser.driver().getPageSource()).doesNotContain(key);
    assertThat(browser.text("main table")).contains(key.substring(0, 12));

    // a provider key pointing at the fake OpenAI, checked live before it is saved
    browser.open("#/providers");
    browser.waitForHeading("Provider keys");
    new Select(browser.field("Add a provider key", "Provider")).selectByValue("openai");
    browser.fill("Add a provider key", "API key", FakeProviders.OPENAI_KEY);
    browser.fill("Add a provider key", "Base URL (optional)", fake.base() + "/v1");
    browser.submit("Add a provider key");
    assertThat(browser.formMessage("Add a provider key")).contains("Saved the openai key", "provider accepted it");
    browser.waitForText("main table", "openai");
    assertThat(browser.text("main table")).contains("...0000").doesNotContain(FakeProviders.OPENAI_KEY);
    browser.screenshot("03-provider-keys");

    // the playground streams the fake provider's answer
    browser.open("#/playground");
    browser.waitForHeading("Playground");
    new Select(browser.waitFor("#model")).selectByValue("gpt-4o-mini");
    browser.type("#prompt", "Say hello");
    browser.find("#send").click();
    browser.waitFor(".bubble.assistant[data-done='true']");
    assertThat(browser.text(".bubble.assistant .answer")).isEqualTo(String.join("", FakeProviders.PIECES));
    FakeProviders.Seen upstream = fake.last();
    assertThat(upstream.path()).isEqualTo("/v1/chat/completions");
    assertThat(upstream.body().getBoolean("stream")).isTrue();
    assertThat(upstream.headers().get("authorization")).isEqualTo("Bearer " + FakeProviders.OPENAI_KEY);
    browser.screenshot("04-playground");

    // the call shows in usage: charts, the per-model table and today's count
    browser.open("#/usage");
    browser.waitForTextReloading("#usage-messages", "1 message");
    assertThat(browser.text("main table")).contains("gpt-4o-mini");
    assertThat(browser.findAll("figure.chart svg rect.bar")).hasSize(90);
    browser.screenshot("05-usage");

    browser.open("#/plan");
    browser.waitFor("#plan-name");
    assertThat(browser.text("#billing-offline")).contains("Online billing is not configured");
    browser.screenshot("06-plan");

    // a thread's messages, read back
    String token = (String) browser.script("return sessionStorage.getItem('forge.session')");
    JsonObject thread = Workspaces.thread(api, new Users.Registered(null, email, token), new JsonObject().put("title", "Greetings"));
    api.call("sendThreadMessage").bearer(token).path("id", thread.getString("id"))
      .body(new JsonObject().put("content", "Hi there, thread").put("model", "gpt-4o-mini")).send().expect(200);
    browser.open("#/threads");
    browser.waitForText("main table", "Greetings");
    browser.find("main table a[href='#/threads/" + thread.getString("id") + "']").click();
    browser.waitForHeading("Greetings");
    browser.waitForText(".bubble.user", "Hi there, thread");
    assertThat(browser.findAll(".bubble.assistant")).hasSize(1);
    browser.screenshot("07-thread");

    // signing out everywhere ends the session on the server too
    browser.open("#/account");
    browser.waitForHeading("Account");
    assertThat(browser.text("main")).contains(email);
    browser.findAll("main section[aria-label='Session'] button").stream()
      .filter(b -> b.getText().equals("Sign out everywhere")).findFirst().orElseThrow().click();
    browser.waitForHeading("Sign in");
    assertThat(browser.script("return sessionStorage.getItem('forge.session')")).isNull();
    Workspaces.eventually(() -> api.call("getCurrentUser").bearer(token).send().status() == 401);
    browser.open("#/keys");
    browser.waitForHeading("Sign in");
  }

  @Test
  void theLinksInVerificationAndResetMailsOpenTheConsole() {
    Users.Registered u = Users.register(api);
    browser.open(mailLink(u.email(), "Confirm your email"));
    browser.waitForHeading("Verify your email address");
    browser.waitForText("main .msg.ok", u.email() + " is verified.");
    assertThat(Workspaces.count(app, "SELECT count(*) FROM users WHERE id = '" + u.id() + "' AND email_verified")).isEqualTo(1);

    browser.open("#/forgot");
    browser.fill("Ask for a reset link", "Email", u.email());
    browser.submit("Ask for a reset link");
    assertThat(browser.formMessage("Ask for a reset link")).contains("a mail with a reset link is on its way");
    browser.open(mailLink(u.email(), "Reset your password"));
    browser.waitForHeading("Set a new password");
    browser.fill("Set a new password", "New password", "a brand new console password");
    browser.submit("Set a new password");
    assertThat(browser.formMessage("Set a new password")).contains("Your password is changed");
    browser.screenshot("12-password-reset");

    browser.open("#/signin");
    browser.waitForHeading("Sign in");
    browser.fill("Sign in", "Email", u.email());
    browser.fill("Sign in", "Password", "a brand new console password");
    browser.submit("Sign in");
    browser.waitForHeading("API keys");
    assertThat(api.call("loginUser").body(new JsonObject().put("email", u.email()).put("password", Users.PASSWORD))
      .send().status()).isEqualTo(401);
  }

  /** The console link of the newest mail to this address, pointed at the test server. */
  private static String mailLink(String email, String subject) {
    List<String> mails = List.of();
    for (int i = 0; i < 200 && mails.isEmpty(); i++) {
      mails = dev.chrysalis.forge.testing.DevMailbox.mailsTo(app, email, 0).stream()
        .filter(m -> m.contains("Subject: " + subject)).toList();
      if (mails.isEmpty()) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    assertThat(mails).as("a mail '" + subject + "' to " + email + " within 10 s").isNotEmpty();
    java.util.regex.Matcher m = MAIL_LINK.matcher(mails.get(mails.size() - 1));
    assertThat(m.find()).as("a console link in the mail").isTrue();
    return api.baseUrl() + m.group(1);
  }

  @Test
  void anOperatorSetsAPlanAndSuspendsAUser() {
    JsonObject reg = api.call("registerUser").body(new JsonObject().put("email", OPERATOR).put("password", Users.PASSWORD))
      .send().expect(201).json();
    Users.verify(app, new Users.Registered(reg.getString("id"), OPERATOR, reg.getString("token")));
    Users.Registered target = Users.register(api);

    browser.open("#/admin");
    signIn(OPERATOR);
    browser.waitForHeading("Operators");
    browser.waitForText("main", "Mode: local ledger");
    browser.fill("Set the plan of a user", "User id (usr_…)", target.id());
    new Select(browser.field("Set the plan of a user", "Plan")).selectByValue("pro");
    browser.submit("Set the plan of a user");
    assertThat(browser.formMessage("Set the plan of a user")).contains(target.id() + " is on Pro now.");
    assertThat(api.call("getBillingPlan").bearer(target.token()).send().expect(200).json().getString("plan_id")).isEqualTo("pro");

    browser.fill("Suspend or reactivate a user", "User id (usr_…)", target.id());
    browser.submit("Suspend or reactivate a user");
    assertThat(browser.formMessage("Suspend or reactivate a user")).contains(target.id() + " is suspended now.");
    Workspaces.eventually(() -> api.call("getCurrentUser").bearer(target.token()).send().status() == 403);
    browser.screenshot("13-operators");

    // a bad id: the server's message, nothing changed
    browser.fill("Set the plan of a user", "User id (usr_…)", "usr_doesnotexist");
    browser.submit("Set the plan of a user");
    assertThat(browser.formMessage("Set the plan of a user")).isNotBlank().doesNotContain("is on");
  }

  @Test
  void aSecondUserAcceptsAnOrgInviteFromItsLink() {
    Users.Registered owner = Users.register(api);
    browser.open("#/orgs");
    signIn(owner.email());
    browser.waitForHeading("Organizations");
    browser.fill("Create an organization", "Name", "Rocket Team");
    browser.submit("Create an organization");
    browser.waitForHeading("Rocket Team");
    String orgId = browser.driver().getCurrentUrl().replaceAll(".*#/orgs/", "");

    String invitee = Users.uniqueEmail();
    browser.fill("Invite someone", "Email", invitee);
    browser.submit("Invite someone");
    assertThat(browser.formMessage("Invite someone")).contains("Invited " + invitee, "a mail with a link");
    browser.waitForText("main section[aria-label='Pending invites'] table", invitee);
    browser.screenshot("08-org-invite");
    String link = mailLink(invitee, "Invitation to join Rocket Team");
    assertThat(link).startsWith(api.baseUrl() + "/#/invite/inv_").contains("?token=");

    // the invitee opens the link without a session, signs up, and is asked to verify first
    browser.script("sessionStorage.clear()");
    browser.open(link);
    browser.waitForHeading("Sign in");
    assertThat(browser.text("main .notice")).contains("invited");
    browser.find("main a[href^='#/signup']").click();
    signUp(invitee);
    browser.waitForHeading("Organization invite");
    browser.waitForText("main .msg.warn", "Verify " + invitee + " first");
    assertThat(memberCount(orgId, invitee)).isZero();

    // the verification link leads back to the invite, which now lets them in
    browser.open(mailLink(invitee, "Confirm your email"));
    browser.waitForText("main .msg.ok", "is verified");
    browser.find("main a[href^='#/invite/']").click();
    browser.waitForText("main .msg.ok", "You joined Rocket Team as member.");
    browser.screenshot("09-invite-accepted");
    assertThat(memberCount(orgId, invitee)).isEqualTo(1);

    // a link sent to someone else: a clear refusal, nothing joined
    api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
      .body(new JsonObject().put("email", "someone-else@example.test")).send().expect(201);
    String foreign = mailLink("someone-else@example.test", "Invitation to join Rocket Team");
    Users.Registered stranger = Users.register(api);
    Users.verify(app, stranger);
    browser.script("sessionStorage.clear()");
    browser.open(foreign);
    signIn(stranger.email());
    browser.waitFor("main .msg.error");
    assertThat(browser.text("main .msg.error")).contains(stranger.email());
    assertThat(memberCount(orgId, stranger.email())).isZero();
  }

  private static long memberCount(String orgId, String email) {
    return Workspaces.count(app, "SELECT count(*) FROM org_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = '"
      + orgId + "' AND u.email = '" + email + "'");
  }

  @Test
  void deleteKeysChangeARoleSeeTheAuditLogAndRemoveAMember() {
    Users.Registered owner = Users.register(api);
    Users.Registered member = Users.register(api);
    Users.verify(app, member);
    JsonObject org = Workspaces.org(api, owner);
    String orgId = org.getString("id");
    String inviteId = api.call("inviteOrgMember").bearer(owner.token()).path("id", orgId)
      .body(new JsonObject().put("email", member.email())).send().expect(201).json().getString("invite_id");
    String secret = dev.chrysalis.forge.testing.DevMailbox.latestToken(app, member.email(), "Invitation to join");
    api.call("acceptInvite").bearer(member.token()).path("id", inviteId).body(new JsonObject().put("token", secret)).send().expect(200);
    String key = Users.apiKey(api, owner, "read");
    api.call("addProviderKey").bearer(owner.token()).body(new JsonObject().put("provider", "openai")
      .put("api_key", FakeProviders.OPENAI_KEY).put("base_url", fake.base() + "/v1")).send().expect(201);

    browser.open("#/keys");
    signIn(owner.email());
    browser.waitForHeading("API keys");
    browser.waitFor("main button[aria-label='Delete key test']").click();
    acceptConfirm("Delete the key \"test\"");
    browser.waitForText("main section[aria-label='Your keys']", "No API keys yet.");
    Workspaces.eventually(() -> api.call("getCurrentUser").bearer(key).send().status() == 401);

    browser.open("#/providers");
    browser.waitFor("main button[aria-label='Delete the openai key']").click();
    acceptConfirm("Delete the openai key");
    browser.waitForText("main section[aria-label='Stored keys']", "No provider keys here");
    assertThat(api.call("listProviderKeys").bearer(owner.token()).send().expect(200).json().getJsonArray("data")).isEmpty();

    browser.open("#/orgs/" + orgId);
    browser.waitForHeading(org.getString("name"));
    new Select(browser.waitFor("main select[aria-label='Role of " + member.email() + "']")).selectByValue("admin");
    browser.waitForText("main section[aria-label='Members'] .msg.ok", member.email() + " is now admin.");
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_members WHERE org_id = '" + orgId + "' AND user_id = '"
      + member.id() + "' AND role = 'admin'")).isEqualTo(1);
    browser.waitForTextReloading("main section[aria-label='Audit log'] table", "member.role_changed");
    browser.screenshot("16-org-members-audit");

    // the audit log's action filter goes to the API
    browser.fill("Filter the audit log", "Action (exact)", "member.role_changed");
    browser.submit("Filter the audit log");
    browser.waitForCount("main section[aria-label='Audit log'] tbody tr", 1);
    assertThat(browser.text("main section[aria-label='Audit log'] tbody td:nth-child(2)")).isEqualTo("member.role_changed");
    browser.fill("Filter the audit log", "Action (exact)", "no.such_action");
    browser.submit("Filter the audit log");
    browser.waitForText("main section[aria-label='Audit log']", "No no.such_action entries.");

    browser.waitFor("main button[aria-label='Remove " + member.email() + "']").click();
    acceptConfirm("Remove " + member.email());
    browser.waitForText("main section[aria-label='Members'] .msg.ok", "Removed " + member.email() + ".");
    assertThat(Workspaces.count(app, "SELECT count(*) FROM org_members WHERE org_id = '" + orgId + "' AND user_id = '"
      + member.id() + "'")).isZero();
  }

  /** Accepts the confirmation dialog the console opened, after checking what it asks. */
  private void acceptConfirm(String question) {
    org.openqa.selenium.Alert alert = new org.openqa.selenium.support.ui.WebDriverWait(browser.driver(), java.time.Duration.ofSeconds(10))
      .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
    assertThat(alert.getText()).contains(question);
    alert.accept();
  }

  @Test
  void markupInAThreadTitleAndAnOrgNameStaysText() {
    String payload = "<img src=x onerror=alert(1)>";
    String orgPayload = "<img src=x onerror=alert(2)><script>alert(3)</script>";
    Users.Registered u = Users.register(api);
    JsonObject thread = Workspaces.thread(api, u, new JsonObject().put("title", payload));
    JsonObject org = api.call("createOrg").bearer(u.token())
      .body(new JsonObject().put("name", orgPayload).put("slug", Workspaces.slug())).send().expect(201).json();

    browser.open("#/threads");
    signIn(u.email());
    browser.waitForHeading("Threads");
    browser.waitForText("main table", payload);
    WebElement title = browser.find("main table a[href='#/threads/" + thread.getString("id") + "']");
    assertThat(title.getText()).isEqualTo(payload);
    title.click();
    browser.waitForHeading(payload);
    assertInert();
    browser.screenshot("10-xss-thread");

    browser.open("#/orgs");
    browser.waitForText("main table", orgPayload);
    browser.open("#/orgs/" + org.getString("id"));
    browser.waitForHeading(orgPayload);
    assertThat(browser.text("main h1")).isEqualTo(orgPayload);
    assertInert();
    browser.screenshot("10-xss-org");
  }

  @Test
  void phoneWidthKeyboardAndNonOperators() {
    Users.Registered u = Users.register(api);
    browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    browser.open("#/keys");
    signIn(u.email());
    browser.waitForHeading("API keys");
    assertThat(browser.script("return document.activeElement.tagName")).as("focus moves to the page heading").isEqualTo("H1");
    assertThat(browser.find("#nav").isDisplayed()).isFalse();
    WebElement menu = browser.find("#menu");
    menu.sendKeys(org.openqa.selenium.Keys.ENTER);
    assertThat(menu.getAttribute("aria-expanded")).isEqualTo("true");
    assertThat(browser.find("#nav a[href='#/usage']").isDisplayed()).isTrue();
    assertThat((Long) browser.script("return document.documentElement.scrollWidth")).as("no sideways scrolling")
      .isLessThanOrEqualTo((Long) browser.script("return document.documentElement.clientWidth"));
    browser.screenshot("11-phone-menu");
    browser.find("#nav a[href='#/admin']").sendKeys(org.openqa.selenium.Keys.ENTER);
    browser.waitForHeading("Operators");
    browser.waitForText("main .msg.warn", "not an operator");
  }

  private void assertInert() {
    assertThat(browser.alertOpen()).as("an alert opened").isFalse();
    assertThat(browser.findAll("img")).as("an img element was created from text").isEmpty();
    assertThat(browser.findAll("main script")).isEmpty();
  }
}
