package dev.chrysalis.forge.console;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.regex.Pattern;

/**
 * Debian's headless chromium driven through chromedriver, with a fresh profile under target/.
 * A machine without chromium or chromedriver fails the test that asks for one (CI installs both).
 * Every browser console entry is kept, so tests can assert that nothing went wrong in the page
 * (script errors and Content-Security-Policy violations are SEVERE entries).
 */
final class ConsoleBrowser implements AutoCloseable {

  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHRYSALIS_TEST_CHROMIUM", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("CHRYSALIS_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  /** What the browser logs for an answer the page expected and handled (such as a 404 it explains). */
  private static final Pattern HANDLED_HTTP_ERROR =
    Pattern.compile(".*Failed to load resource: the server responded with a status of 4\\d\\d.*");

  private final ChromeDriver driver;
  private final ChromeDriverService service;
  private final String baseUrl;
  private final List<LogEntry> log = new ArrayList<>();

  ConsoleBrowser(String baseUrl) {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("the console tests need " + CHROMIUM + " and " + CHROMEDRIVER
        + ": apt-get install -y chromium chromium-driver (.ci/run does this)");
    }
    this.baseUrl = baseUrl;
    Path profile = Path.of("target", "console-browser", UUID.randomUUID().toString()).toAbsolutePath();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
      "--user-data-dir=" + profile);
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Opens a console route such as {@code #/keys} (or a full URL from a mail or an invite). */
  void open(String hashOrUrl) {
    driver.get(hashOrUrl.startsWith("http") ? hashOrUrl : baseUrl + "/" + hashOrUrl);
  }

  WebElement waitFor(String css) {
    return new WebDriverWait(driver, Duration.ofSeconds(30)).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  void waitForText(String css, String text) {
    new WebDriverWait(driver, Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  /** Waits until exactly this many elements match (rows of a list that grows page by page). */
  List<WebElement> waitForCount(String css, int count) {
    return new WebDriverWait(driver, Duration.ofSeconds(30)).until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(css), count));
  }

  void waitForHeading(String text) {
    waitForText("main h1", text);
  }

  /** Waits until the element's text matches, reloading the page between looks (data that arrives later). */
  void waitForTextReloading(String css, String text) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
        return;
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        driver.navigate().refresh();
      }
    }
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> findAll(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  void type(String css, String text) {
    WebElement el = waitFor(css);
    el.clear();
    el.sendKeys(text);
  }

  /** The form field whose label reads exactly this, inside the form with this aria-label. */
  WebElement field(String form, String label) {
    WebElement f = waitFor("form[aria-label='" + form + "']");
    for (WebElement l : f.findElements(By.tagName("label"))) {
      if (l.getText().trim().equals(label) && l.getAttribute("for") != null) {
        return f.findElement(By.id(l.getAttribute("for")));
      }
    }
    throw new AssertionError("no field labelled " + label + " in form " + form);
  }

  void fill(String form, String label, String text) {
    WebElement el = field(form, label);
    el.clear();
    el.sendKeys(text);
  }

  void submit(String form) {
    waitFor("form[aria-label='" + form + "'] button[type='submit']").click();
  }

  /** The success or error message of a form, once it has one. */
  String formMessage(String form) {
    By by = By.cssSelector("form[aria-label='" + form + "'] .msg.ok, form[aria-label='" + form + "'] .msg.error");
    return new WebDriverWait(driver, Duration.ofSeconds(30)).until(ExpectedConditions.visibilityOfElementLocated(by)).getText();
  }

  /** Signs in on the sign-in page the console is showing. */
  void signIn(String email, String password) {
    waitForHeading("Sign in");
    fill("Sign in", "Email", email);
    fill("Sign in", "Password", password);
    submit("Sign in");
  }

  String text(String css) {
    return waitFor(css).getText();
  }

  boolean alertOpen() {
    try {
      driver.switchTo().alert();
      return true;
    } catch (NoAlertPresentException e) {
      return false;
    }
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path target = SCREENSHOTS.resolve(name + ".png");
      File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Browser console entries so far (the driver hands each entry out once, so they are kept here). */
  List<LogEntry> log() {
    driver.manage().logs().get(LogType.BROWSER).forEach(log::add);
    return List.copyOf(log);
  }

  /** SEVERE entries other than the browser noting a 4xx answer the page handled and explained. */
  List<String> problems() {
    return log().stream()
      .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
      .map(LogEntry::getMessage)
      .filter(m -> !HANDLED_HTTP_ERROR.matcher(m).matches())
      .toList();
  }

  /** Ends a test: the browser console must hold no errors (script errors, CSP violations); closed either way. */
  public void closeAfterCheckingConsole() {
    try {
      org.assertj.core.api.Assertions.assertThat(problems())
        .as("errors in the browser console (script errors, CSP violations)").isEmpty();
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
