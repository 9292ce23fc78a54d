package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stepwise.testing.Eventually;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operators' web page in a real headless Chromium (Debian's chromium and chromium-driver)
 * against a real node: sign in, watch executions arrive and change live over the event stream,
 * stop them through the menu, filter, and step through an execution's history. Every browser
 * console error fails the test. Screenshots go to target/screenshots/ for a person to look at.
 */
class WebPageIT {

  /** Debian's paths; the properties exist so that the skip and the CI failure can be tried. */
  static final Path CHROMIUM = Path.of(System.getProperty("stepwise.test.chromium",
      "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("stepwise.test.chromedriver",
      "/usr/bin/chromedriver"));
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  /** Deadlines, not pauses: generous, because the machine may be shared and busy. */
  static final Duration WAIT = Duration.ofSeconds(60);

  static ApiServer api;
  static Path gate;
  static boolean browserPresent;

  @TempDir static Path dir;

  WebDriver browser;
  WebDriverWait wait;
  Path profile;

  @BeforeAll
  static void start() throws IOException {
    browserPresent = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!browserPresent && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing;"
          + " .ci/run installs them with apt-get install chromium chromium-driver");
    }
    if (!browserPresent) {
      return;
    }
    // a busy machine must slow the test down, not fail it with the default 10 s ask timeout
    api = new ApiServer(Map.of("stepwise.http.sse-heartbeat", "1s",
        "stepwise.ask-timeout", "25s"));
    gate = dir.resolve("gate");
    // step one waits for the gate file, so a graceful stop stays Cancelling until the test
    // opens it; step two must then never run
    define("gated", "{\"description\":\"waits for a gate\",\"steps\":["
        + "{\"name\":\"wait\",\"type\":\"shell\",\"command\":[\"bash\",\"-c\","
        + "\"while [ ! -e \\\"$GATE\\\" ]; do sleep 0.1; done; echo released\"],"
        + "\"env\":{\"GATE\":\"" + gate + "\"}},"
        + "{\"name\":\"after\",\"type\":\"shell\",\"command\":[\"bash\",\"-c\",\"echo after\"]}]}");
    define("long", "{\"description\":\"one long sleep in a shell\",\"steps\":["
        + "{\"name\":\"nap\",\"type\":\"shell\",\"command\":[\"sleep\",\"300\"]}]}");
    define("quick", "{\"description\":\"says hello\",\"steps\":["
        + "{\"name\":\"hello\",\"type\":\"shell\",\"command\":[\"echo\",\"hello\"]}]}");
    define("broken", "{\"description\":\"always fails\",\"steps\":["
        + "{\"name\":\"fail\",\"type\":\"shell\",\"command\":[\"false\"]}]}");
  }

  static void define(String name, String definition) {
    assertThat(api.put("/api/jobs/" + name, api.admin(), definition).status()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @BeforeEach
  void openBrowser() throws IOException {
    // each test says so in the report, where a class-level skip would say nothing
    assumeTrue(browserPresent, "Skipped: the browser tests need " + CHROMIUM + " and "
        + CHROMEDRIVER + " (apt-get install chromium chromium-driver; .ci/run does)");
    profile = Files.createTempDirectory("stepwise-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // headless, and nothing that would call out of this closed network
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        "--window-size=1280,800");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, WAIT);
    wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class);
  }

  @AfterEach
  void closeBrowser() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (profile == null) {
      return;
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  // ---------------------------------------------------------------- the operator's story

  @Test
  void anOperatorWatchesExecutionsLiveStopsThemAndStepsThroughAHistory() throws IOException {
    String operator = api.operator();
    signIn(operator);
    // a marker that a reload would wipe: everything below must arrive without one
    js("window.stepwiseNoReload = 'kept';");

    // jobs: list, a definition, a run started from the page
    browser.findElement(By.cssSelector("#nav a[data-section='jobs']")).click();
    WebElement quickRow = wait.until(d -> d.findElement(By.cssSelector("tr[data-job='quick']")));
    quickRow.findElement(By.cssSelector("button.start")).click();
    WebElement opened = wait.until(d -> d.findElement(By.cssSelector("#notice a")));
    assertThat(browser.findElement(By.id("notice")).getText()).contains("Started execution");
    opened.click();
    wait.until(d -> badgeIn("#detail-status").equals("Success"));
    assertThat(text("#steps")).contains("hello").contains("exit code 0");
    browser.get(base() + "#/jobs/quick");
    assertThat(wait.until(d -> d.findElement(By.id("definition"))).getText())
        .contains("\"command\"").contains("hello");

    // executions list open; runs started through the API appear and turn Running live
    browser.findElement(By.cssSelector("#nav a[data-section='executions']")).click();
    wait.until(d -> d.findElement(By.cssSelector("#executions tbody tr")));
    String graceful = startThroughApi("gated", operator);
    awaitRow(graceful, "Running");
    wait.until(d -> rowText(graceful).contains("wait"));
    String forced = startThroughApi("long", operator);
    awaitRow(forced, "Running");
    wait.until(d -> rowText(forced).contains("nap"));

    // stop gracefully through the menu: the dialog says what will happen, then Cancelling
    row(graceful).findElement(By.cssSelector("button.stop-toggle")).click();
    wait.until(ExpectedConditions.elementToBeClickable(
        row(graceful).findElement(By.cssSelector("button.stop-graceful")))).click();
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(dialog.getText()).contains("Stop gracefully?")
        .contains("the running step \"wait\" finishes").contains("nothing after it starts");
    browser.findElement(By.id("confirm-reason")).sendKeys("not today");
    browser.findElement(By.id("confirm-ok")).click();
    awaitRow(graceful, "Cancelling");
    screenshot("list-live.png");
    // the step ends on its own once the gate opens; Cancelled arrives over the stream
    Files.createFile(gate);
    awaitRow(graceful, "Cancelled");

    // stop the other immediately, with the keyboard alone
    WebElement toggle = row(forced).findElement(By.cssSelector("button.stop-toggle"));
    toggle.sendKeys(Keys.ENTER);
    wait.until(d -> d.switchTo().activeElement().getText().equals("Stop gracefully"));
    browser.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
    wait.until(d -> d.switchTo().activeElement().getText().equals("Stop immediately"));
    browser.switchTo().activeElement().sendKeys(Keys.ENTER);
    dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(dialog.getText()).contains("Stop immediately?")
        .contains("the running step \"nap\" is killed now");
    browser.switchTo().activeElement().sendKeys("runaway", Keys.ENTER);
    awaitRow(forced, "Cancelled");

    assertThat(js("return window.stepwiseNoReload;")).isEqualTo("kept");
    assertThat(liveState()).isEqualTo("live");
    screenshot("list.png");

    // filter by Cancelled: both, and nothing else
    new Select(browser.findElement(By.id("filter-status"))).selectByValue("Cancelled");
    wait.until(d -> d.getCurrentUrl().endsWith("#/executions?status=Cancelled"));
    awaitRow(graceful, "Cancelled");
    awaitRow(forced, "Cancelled");
    assertThat(browser.findElements(By.cssSelector("#executions tbody tr[data-id]")))
        .allSatisfy(tr -> assertThat(tr.getAttribute("data-status")).isEqualTo("Cancelled"));
    screenshot("list-cancelled.png");

    // the detail of the graceful one: the step finished, the next never ran, who and why
    row(graceful).findElement(By.cssSelector("a")).click();
    wait.until(d -> badgeIn("#detail-status").equals("Cancelled"));
    wait.until(d -> !d.findElements(By.cssSelector("#events button")).isEmpty());
    assertThat(stepStatus("wait")).isEqualTo("Success");
    assertThat(stepStatus("after")).isNotEqualTo("Success").isNotEqualTo("Running");
    assertThat(text("#steps")).contains("released");
    assertThat(text("#cancellation")).contains("graceful").contains("not today")
        .contains("otto");
    screenshot("detail.png");

    // step through the history: the first event, then forward with the keys, then a pick
    List<WebElement> events = browser.findElements(By.cssSelector("#events button"));
    List<String> types = new ArrayList<>();
    events.forEach(e -> types.add(e.findElement(By.tagName("strong")).getText()));
    assertThat(types).startsWith("ExecutionCreated").contains("StopRequested")
        .endsWith("ExecutionCancelled");
    WebElement slider = browser.findElement(By.id("history-slider"));
    slider.sendKeys(Keys.HOME);
    wait.until(d -> text("#asof").contains("As of event 1 of " + types.size()));
    assertThat(badgeIn("#detail-status")).isEqualTo("Pending");
    int started = types.indexOf("ExecutionStarted") + 1;
    for (int seq = 2; seq <= started; seq++) {
      browser.findElement(By.id("history-slider")).sendKeys(Keys.ARROW_RIGHT);
      int expected = seq;
      wait.until(d -> text("#asof").contains("As of event " + expected + " "));
    }
    wait.until(d -> badgeIn("#detail-status").equals("Running"));
    int stopRequested = types.indexOf("StopRequested") + 1;
    browser.findElement(By.cssSelector("#events button[data-seq='" + stopRequested + "']")).click();
    wait.until(d -> badgeIn("#detail-status").equals("Cancelling"));
    assertThat(text("#cancellation")).contains("not today");
    screenshot("detail-as-of.png");
    browser.findElement(By.id("back-to-now")).click();
    wait.until(d -> badgeIn("#detail-status").equals("Cancelled"));

    // the forced one: killed, mode force
    browser.get(base() + "#/executions/" + forced);
    wait.until(d -> badgeIn("#detail-status").equals("Cancelled"));
    wait.until(d -> text("#cancellation").contains("force"));
    assertThat(text("#cancellation")).contains("runaway");
    assertThat(stepStatus("nap")).isEqualTo("Interrupted");

    // the status colours tell the statuses apart
    browser.get(base() + "#/executions");
    String running = startThroughApi("long", operator);
    awaitRow(running, "Running");
    assertThat(List.of(badgeColour(running), badgeColour(graceful))).doesNotHaveDuplicates();

    assertNoTokenInAnyUrl(operator);
    assertNoConsoleErrors();
    api.post("/api/executions/" + running + "/stop?force=true", operator, "{}");
  }

  @Test
  void deadLettersCanBeRetriedAndSelectedRowsStoppedTogether() throws IOException {
    String operator = api.operator();
    String failed = startThroughApi("broken", operator);
    Eventually.await(failed + " is DeadLetter", WAIT, () -> "DeadLetter".equals(
        api.get("/api/executions/" + failed, operator).json().path("status").asText()));
    signIn(operator);
    browser.findElement(By.cssSelector("#nav a[data-section='dead-letters']")).click();
    WebElement deadRow = wait.until(d -> row(failed));
    assertThat(deadRow.getAttribute("data-status")).isEqualTo("DeadLetter");
    deadRow.findElement(By.cssSelector("button.retry")).click();
    wait.until(d -> text("#notice").contains("Retry started"));
    String retriedAs = wait.until(d -> row(failed).findElement(By.cssSelector("a.retried")))
        .getAttribute("href");
    assertThat(api.get("/api/executions/" + retriedAs.substring(retriedAs.lastIndexOf('/') + 1),
        operator).json().path("retryOf").asText()).isEqualTo(failed);
    screenshot("dead-letters.png");

    browser.findElement(By.cssSelector("#nav a[data-section='executions']")).click();
    wait.until(d -> d.findElement(By.cssSelector("#executions tbody tr")));
    String first = startThroughApi("long", operator);
    String second = startThroughApi("long", operator);
    awaitRow(first, "Running");
    awaitRow(second, "Running");
    row(first).findElement(By.cssSelector("input.select")).click();
    row(second).findElement(By.cssSelector("input.select")).click();
    assertThat(text("#selected-count")).isEqualTo("2 selected");
    browser.findElement(By.id("bulk-force")).click();
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(dialog.getText()).contains("2 selected executions immediately")
        .contains("killed now");
    browser.findElement(By.id("confirm-ok")).click();
    awaitRow(first, "Cancelled");
    awaitRow(second, "Cancelled");
    wait.until(d -> text("#notice").contains("2 accepted"));

    // narrow window: the page reflows instead of scrolling sideways
    browser.manage().window().setSize(new Dimension(420, 800));
    wait.until(d -> ((Number) js("return document.documentElement.clientWidth;")).intValue() < 500);
    assertThat(((Number) js("return document.documentElement.scrollWidth"
        + " - document.documentElement.clientWidth;")).intValue()).isLessThanOrEqualTo(0);
    screenshot("list-narrow.png");
    assertNoConsoleErrors();
  }

  @Test
  void aViewerSeesTheStopControlsDisabledWithAHint() throws IOException {
    String running = startThroughApi("long", api.operator());
    signIn(api.viewer());
    awaitRow(running, "Running");
    assertThat(text("#role-hint")).contains("operator").contains("viewer");
    assertThat(browser.findElement(By.id("bulk-graceful")).isEnabled()).isFalse();
    assertThat(row(running).findElement(By.cssSelector("input.select")).isEnabled()).isFalse();
    row(running).findElement(By.cssSelector("button.stop-toggle")).click();
    WebElement graceful = row(running).findElement(By.cssSelector("button.stop-graceful"));
    WebElement force = row(running).findElement(By.cssSelector("button.stop-force"));
    assertThat(graceful.isEnabled()).isFalse();
    assertThat(force.isEnabled()).isFalse();
    assertThat(force.getAttribute("title")).contains("Needs the operator role");
    assertNoConsoleErrors();
    api.post("/api/executions/" + running + "/stop?force=true", api.operator(), "{}");
  }

  @Test
  void afterADropThePageSaysReconnectingThenResumesWhereItLeftOff() throws IOException {
    try (DroppingProxy proxy = new DroppingProxy(api.port())) {
      String operator = api.operator();
      String running = startThroughApi("long", operator);
      base = "http://127.0.0.1:" + proxy.port() + "/";
      signIn(operator);
      awaitRow(running, "Running");
      String before = wait.until(d -> {
        String id = d.findElement(By.id("live")).getAttribute("data-last-event-id");
        return id == null || id.isEmpty() ? null : id;
      });

      proxy.drop(true);
      wait.until(d -> "reconnecting".equals(liveState()));
      // while the page cannot hear, the execution is stopped
      assertThat(api.post("/api/executions/" + running + "/stop?force=true", operator,
          "{\"reason\":\"during the drop\"}").status()).isEqualTo(202);
      assertThat(row(running).getAttribute("data-status")).isEqualTo("Running");

      proxy.accept(true);
      wait.until(d -> "live".equals(liveState()));
      assertThat(browser.findElement(By.id("live")).getAttribute("data-resumed-from"))
          .isEqualTo(before);
      awaitRow(running, "Cancelled");
      screenshot("list-after-reconnect.png");
      // the drop itself may be reported by the browser; nothing else may
      assertNoConsoleErrorsBut("/api/events");
    }
  }

  @Test
  void aRejectedTokenIsSaidSoAndNothingIsShown() {
    browser.get(base());
    WebElement token = wait.until(d -> d.findElement(By.id("token")));
    token.sendKeys("not-a-token");
    browser.findElement(By.id("signin-button")).click();
    wait.until(d -> text("#signin-error").contains("not a JWT"));
    assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
    assertNoConsoleErrors();
  }

  // ---------------------------------------------------------------- helpers

  String base;

  String base() {
    return base != null ? base : "http://127.0.0.1:" + api.port() + "/";
  }

  void signIn(String token) {
    browser.get(base());
    wait.until(d -> d.findElement(By.id("token"))).sendKeys(token);
    browser.findElement(By.id("signin-button")).click();
    wait.until(d -> d.findElement(By.id("nav")).isDisplayed());
    wait.until(d -> "live".equals(liveState()));
  }

  String liveState() {
    return browser.findElement(By.id("live")).getAttribute("data-state");
  }

  static String startThroughApi(String job, String token) {
    ApiServer.Answer answer = api.post("/api/jobs/" + job + "/executions", token, "{}");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
    return answer.json().get("id").asText();
  }

  WebElement row(String id) {
    return browser.findElement(By.cssSelector("#executions tr[data-id='" + id + "']"));
  }

  String rowText(String id) {
    return row(id).getText();
  }

  void awaitRow(String id, String status) {
    try {
      wait.until(d -> status.equals(row(id).getAttribute("data-status")));
    } catch (RuntimeException e) {
      throw new AssertionError("execution " + id + " never showed " + status + "; page: "
          + browser.findElement(By.id("main")).getText(), e);
    }
  }

  String badgeIn(String css) {
    return browser.findElement(By.cssSelector(css + " .badge")).getAttribute("data-status");
  }

  String badgeColour(String id) {
    return row(id).findElement(By.cssSelector(".badge")).getCssValue("background-color");
  }

  String stepStatus(String step) {
    return browser.findElement(By.cssSelector("#steps li[data-step='" + step + "'] .badge"))
        .getAttribute("data-status");
  }

  String text(String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }

  Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  void assertNoTokenInAnyUrl(String token) {
    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) js("return performance.getEntries().map(e => e.name)"
        + ".concat([location.href]);");
    assertThat(urls).isNotEmpty().noneMatch(url -> url.contains(token));
  }

  void assertNoConsoleErrors() {
    assertNoConsoleErrorsBut(null);
  }

  /** Every console warning or error fails, but those about {@code allowedUrl} when given. */
  void assertNoConsoleErrorsBut(String allowedUrl) {
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
      if (allowedUrl != null && entry.getMessage().contains(allowedUrl)) {
        System.out.println("allowed console entry: " + entry.getLevel() + " " + entry.getMessage());
        continue;
      }
      if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
        errors.add(entry.getLevel() + " " + entry.getMessage());
      }
    }
    assertThat(errors).as("browser console warnings and errors").isEmpty();
  }
}
