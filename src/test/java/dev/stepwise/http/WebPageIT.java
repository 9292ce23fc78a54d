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
  static final Duration WAIT = Duration.ofSeconds(
      Long.getLong("stepwise.test.wait-seconds", 60));

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
        "stepwise.ask-timeout", "25s", "stepwise.data-dir", dir.resolve("data").toString()));
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
    // a line of about 90 bytes every 0.1 s: 70 lines are well past the 4 KiB tail of an event
    define("ticker", "{\"description\":\"prints while it runs\",\"steps\":["
        + "{\"name\":\"tick\",\"type\":\"shell\",\"command\":[\"bash\",\"-c\","
        + "\"for i in $(seq 1 3000); do echo \\\"line $i " + "x".repeat(80) + "\\\";"
        + " sleep 0.1; done\"]}]}");
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
        + " - document.documentElement.clientWidth;")).intValue())
        .as("too wide: %s", js("const w = document.documentElement.clientWidth;"
            + "return [...document.querySelectorAll('body *')].filter(e =>"
            + " e.getBoundingClientRect().right > w).slice(0, 5).map(e => e.tagName + '.'"
            + " + e.className + ' ' + e.getBoundingClientRect().right);"))
        .isLessThanOrEqualTo(0);
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
      // the page follows from its sign-in on: something must happen for it to have a position
      awaitRow(startThroughApi("quick", operator), "Success");
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

  // ---------------------------------------------------------------- the problems

  /** Problem 1: with a filter on, live events never leave a row that does not match it. */
  @Test
  void liveRowsObeyTheFiltersAsExecutionsArriveAndChangeStatus() throws IOException {
    String operator = api.operator();
    String pending = startLater("long", operator);
    signIn(operator);
    browser.get(base() + "#/executions?status=Pending");
    awaitRow(pending, "Pending");
    watchFilter("Pending", null);
    String running;
    Churn churn = new Churn("quick", operator);
    try {
      // while quick runs come and go, one long run starts: it must leave once Running
      running = startThroughApi("long", operator);
      awaitApiStatus(running, "Running");
      churn.awaitAtLeast(4);
    } finally {
      churn.close();
    }
    List<String> quick = churn.ended();
    // the read side has caught up once the page reloads from it; nothing but Pending rows
    awaitOnlyMatchingRows("Pending");
    assertThat(rowIds()).contains(pending).doesNotContain(running).doesNotContainAnyElementsOf(quick);
    // a Pending row that is stopped leaves the view
    api.post("/api/executions/" + pending + "/stop", operator, "{}");
    wait.until(d -> !rowIds().contains(pending));
    assertThat(filterViolations()).isEmpty();

    // Running: a run that is stopped must leave; new ones arrive
    browser.get(base() + "#/executions?status=Running");
    awaitRow(running, "Running");
    watchFilter("Running", null);
    try (Churn more = new Churn("quick", operator)) {
      String another = startThroughApi("long", operator);
      awaitRow(another, "Running");
      assertThat(api.post("/api/executions/" + running + "/stop?force=true", operator, "{}")
          .status()).isEqualTo(202);
      wait.until(d -> !rowIds().contains(running));
      more.awaitAtLeast(3);
      api.post("/api/executions/" + another + "/stop?force=true", operator, "{}");
      wait.until(d -> !rowIds().contains(another));
    }
    awaitOnlyMatchingRows("Running");
    assertThat(filterViolations()).isEmpty();

    // a job filter holds for new rows too
    browser.get(base() + "#/executions?job=quick");
    wait.until(d -> d.findElement(By.cssSelector("#executions tbody tr")));
    watchFilter(null, "quick");
    String other = startThroughApi("long", operator);
    String mine = startThroughApi("quick", operator);
    awaitRow(mine, "Success");
    awaitApiStatus(other, "Running");
    assertThat(rowIds()).doesNotContain(other);
    assertThat(filterViolations()).isEmpty();
    api.post("/api/executions/" + other + "/stop?force=true", operator, "{}");
    assertNoConsoleErrors();
  }

  /** Problem 2: a sign-in follows the journal from now on, not from its first event. */
  @Test
  void signingInFollowsEventsFromNowInsteadOfReplayingTheJournal() throws IOException {
    String operator = api.operator();
    List<String> earlier = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      earlier.add(startThroughApi("quick", operator));
    }
    int journaled = 0;
    for (String id : earlier) {
      awaitApiStatus(id, "Success");
      journaled += api.get("/api/executions/" + id + "/history", operator).json()
          .path("events").size();
    }
    assertThat(journaled).as("events already journaled").isGreaterThanOrEqualTo(50);
    signIn(operator);
    wait.until(d -> d.findElement(By.cssSelector("#executions tbody tr")));
    String running = startThroughApi("long", operator);
    awaitRow(running, "Running");
    // the events the page read from its stream, as the page's own buffer of them holds them
    int received = ((Number) js("return stream.recent.length;")).intValue();
    assertThat(received).as("events the page read").isPositive().isLessThan(journaled / 2);
    // and what it missed before the sign-in is on the list, read from the read side
    assertThat(rowIds()).contains(earlier.get(earlier.size() - 1));
    api.post("/api/executions/" + running + "/stop?force=true", operator, "{}");
    awaitRow(running, "Cancelled");
    assertNoConsoleErrors();
  }

  /** Problem 4: at 400 px, Stop, the DeadLetter badge and Retry are on the screen. */
  @Test
  void atFourHundredPixelsEveryControlIsOnTheScreen() throws IOException {
    String operator = api.operator();
    String failed = startThroughApi("broken", operator);
    awaitApiStatus(failed, "DeadLetter");
    String running = startThroughApi("long", operator);
    browser.manage().window().setSize(new Dimension(400, 800));
    signIn(operator);
    awaitRow(running, "Running");
    assertOnScreen(() -> row(running).findElement(By.cssSelector("button.stop-toggle")));
    screenshot("list-narrow-400.png");
    browser.get(base() + "#/executions?status=DeadLetter");
    awaitRow(failed, "DeadLetter");
    assertOnScreen(() -> row(failed).findElement(By.cssSelector(".badge")));
    browser.get(base() + "#/dead-letters");
    wait.until(d -> row(failed).findElement(By.cssSelector("button.retry")));
    assertOnScreen(() -> row(failed).findElement(By.cssSelector("button.retry")));
    screenshot("dead-letters-narrow-400.png");
    api.post("/api/executions/" + running + "/stop?force=true", operator, "{}");
    assertNoConsoleErrors();
  }

  /** Problem 5: no literal null, and a job's steps read as steps, not as JSON twice. */
  @Test
  void theJobsPagesShowNoNullAndTheDefinitionOnce() {
    signIn(api.operator());
    browser.get(base() + "#/jobs");
    wait.until(d -> d.findElement(By.cssSelector("tr[data-job='quick']")));
    assertThat(text("#main")).doesNotContainPattern("\\bnull\\b");
    browser.get(base() + "#/jobs/gated");
    wait.until(d -> d.findElement(By.id("definition")));
    String page = text("#main");
    assertThat(page).doesNotContainPattern("\\bnull\\b");
    assertThat(page.split("\"description\"", -1).length - 1).as("definitions shown")
        .isEqualTo(1);
    assertThat(text("#job-steps")).contains("wait").contains("shell").contains("bash");
    assertNoConsoleErrors();
  }

  /** Problem 6: a history entry names its step and attempt, and gives exit code and error. */
  @Test
  void historyEntriesSayWhichStepAttemptExitCodeAndError() {
    String operator = api.operator();
    String failed = startThroughApi("broken", operator);
    awaitApiStatus(failed, "DeadLetter");
    signIn(operator);
    browser.get(base() + "#/executions/" + failed);
    WebElement entry = wait.until(d -> d.findElement(
        By.cssSelector("#events button[data-type='StepFailed']")));
    assertThat(entry.getText()).contains("fail").contains("attempt 1").contains("exit code 1")
        .contains("exited with code 1");
    assertThat(text("#events button[data-type='StepStarted']")).contains("fail")
        .contains("attempt 1");
    assertNoConsoleErrors();
  }

  /** Problem 7: the graceful dialog says the grace and its end, and takes an override. */
  @Test
  void theGracefulStopDialogSaysTheGraceAndTakesAnOverride() throws IOException {
    String operator = api.operator();
    String running = startThroughApi("long", operator);
    signIn(operator);
    awaitRow(running, "Running");
    row(running).findElement(By.cssSelector("button.stop-toggle")).click();
    WebElement gracefulItem = wait.until(ExpectedConditions.elementToBeClickable(
        row(running).findElement(By.cssSelector("button.stop-graceful"))));
    WebElement forceItem = row(running).findElement(By.cssSelector("button.stop-force"));
    assertThat(looks(gracefulItem)).isNotEqualTo(looks(forceItem));
    forceItem.click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    String forceLook = looks(browser.findElement(By.id("confirm-ok")));
    assertThat(browser.findElement(By.id("confirm-grace")).isDisplayed()).isFalse();
    browser.findElement(By.id("confirm-cancel")).click();

    row(running).findElement(By.cssSelector("button.stop-toggle")).click();
    wait.until(ExpectedConditions.elementToBeClickable(
        row(running).findElement(By.cssSelector("button.stop-graceful")))).click();
    WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(dialog.getText()).contains("300 s").contains("killed")
        .doesNotContain("waiting to start");
    assertThat(looks(browser.findElement(By.id("confirm-ok")))).isNotEqualTo(forceLook);
    screenshot("stop-dialog.png");
    WebElement grace = browser.findElement(By.id("confirm-grace"));
    grace.clear();
    grace.sendKeys("1");
    browser.findElement(By.id("confirm-ok")).click();
    awaitRow(running, "Cancelled");
    assertThat(api.get("/api/executions/" + running, operator).json()
        .path("cancellation").path("mode").asText()).isEqualTo("escalated");
    assertNoConsoleErrors();
  }

  /** Problem 8: Retry is spent once it is used; the Step column names the failed step. */
  @Test
  void aRetriedDeadLetterCannotBeRetriedTwiceAndShowsItsStep() {
    String operator = api.operator();
    String failed = startThroughApi("broken", operator);
    awaitApiStatus(failed, "DeadLetter");
    signIn(operator);
    browser.get(base() + "#/dead-letters");
    WebElement deadRow = wait.until(d -> row(failed));
    wait.until(d -> row(failed).findElement(By.cssSelector("td.step")).getText().equals("fail"));
    deadRow.findElement(By.cssSelector("button.retry")).click();
    wait.until(d -> !row(failed).findElement(By.cssSelector("button.retry")).isEnabled());
    wait.until(d -> text("#notice").contains("Retry started"));
    browser.navigate().refresh();
    wait.until(d -> row(failed).findElement(By.cssSelector("a.retried")));
    assertThat(row(failed).findElement(By.cssSelector("button.retry")).isEnabled()).isFalse();
    assertNoConsoleErrors();
  }

  /** Problem 9: rows say they may be stale while reconnecting, and Stop waits for the stream. */
  @Test
  void whileReconnectingRowsAreMarkedStaleAndStopWaits() throws IOException {
    try (DroppingProxy proxy = new DroppingProxy(api.port())) {
      String operator = api.operator();
      String running = startThroughApi("long", operator);
      base = "http://127.0.0.1:" + proxy.port() + "/";
      signIn(operator);
      awaitRow(running, "Running");
      assertThat(row(running).findElement(By.cssSelector("button.stop-toggle")).isEnabled())
          .isTrue();
      proxy.drop(true);
      wait.until(d -> "reconnecting".equals(liveState()));
      wait.until(d -> "true".equals(d.findElement(By.id("executions"))
          .getAttribute("data-stale")));
      assertThat(text("#stale-note")).contains("may be out of date");
      assertThat(row(running).findElement(By.cssSelector("button.stop-toggle")).isEnabled())
          .isFalse();
      screenshot("list-reconnecting.png");
      proxy.accept(true);
      wait.until(d -> "live".equals(liveState()));
      wait.until(d -> !"true".equals(d.findElement(By.id("executions"))
          .getAttribute("data-stale")));
      wait.until(d -> row(running).findElement(By.cssSelector("button.stop-toggle")).isEnabled());
      api.post("/api/executions/" + running + "/stop?force=true", operator, "{}");
      awaitRow(running, "Cancelled");
      assertNoConsoleErrorsBut("/api/events");
    }
  }

  /** Problem 9: new rows that push past the page's size are announced as "N new". */
  @Test
  void rowsArrivingBeyondThePageSizeShowAnNewMarker() {
    String operator = api.operator();
    int have = api.get("/api/executions?limit=30", operator).json().path("items").size();
    List<String> filler = new ArrayList<>();
    for (int i = have; i < 22; i++) {
      filler.add(startThroughApi("quick", operator));
    }
    filler.forEach(id -> awaitApiStatus(id, "Success"));
    signIn(operator);
    wait.until(d -> d.findElements(By.cssSelector("#executions tbody tr[data-id]")).size() >= 20);
    String first = startThroughApi("quick", operator);
    String second = startThroughApi("quick", operator);
    String third = startThroughApi("quick", operator);
    awaitRow(third, "Success");
    wait.until(d -> text("#new-marker").contains("3 new"));
    browser.findElement(By.id("new-marker")).click();
    wait.until(d -> !d.findElement(By.id("new-marker")).isDisplayed());
    assertThat(browser.findElements(By.cssSelector("#executions tbody tr[data-id]")))
        .hasSizeLessThanOrEqualTo(20);
    assertThat(rowIds()).contains(first, second, third);
    assertNoConsoleErrors();
  }

  /** Operator basics: one URL per filter, counts, times, search by a short id, tab title. */
  @Test
  void operatorBasicsShareableFiltersCountsTimesSearchAndTitle() {
    String operator = api.operator();
    String running = startThroughApi("long", operator);
    signIn(operator);
    browser.get(base() + "#/executions?status=Running&job=long&range=1h");
    awaitRow(running, "Running");
    assertThat(new Select(browser.findElement(By.id("filter-range"))).getFirstSelectedOption()
        .getAttribute("value")).isEqualTo("1h");
    assertThat(new Select(browser.findElement(By.id("filter-job"))).getFirstSelectedOption()
        .getAttribute("value")).isEqualTo("long");
    assertThat(browser.getTitle()).contains("Running").contains("long");
    WebElement chip = wait.until(d -> d.findElement(
        By.cssSelector("#status-counts a[data-count-status='Running']")));
    assertThat(chip.getAttribute("aria-current")).isEqualTo("true");
    assertThat(chip.getAttribute("href")).contains("job=long").contains("range=1h");
    // started, relative, with the absolute time on hover; a duration that keeps counting
    WebElement started = row(running).findElements(By.cssSelector("time")).get(1);
    assertThat(started.getAttribute("title")).endsWith("UTC");
    assertThat(started.getText()).matches(".*(ago|just now)");
    assertThat(row(running).findElement(By.cssSelector(".duration")).getAttribute("data-running"))
        .isEqualTo("true");
    // a short id, typed and entered, opens the execution
    browser.findElement(By.id("search-id")).sendKeys(running.substring(0, 8), Keys.ENTER);
    wait.until(d -> d.getCurrentUrl().endsWith("#/executions/" + running));
    wait.until(d -> d.getTitle().startsWith("Running"));
    browser.findElement(By.id("copy-id")).click();
    wait.until(d -> text("#copy-id").equals("Copied"));
    api.post("/api/executions/" + running + "/stop?force=true", operator, "{}");
    wait.until(d -> d.getTitle().startsWith("Cancelled"));
    assertNoConsoleErrors();
  }

  // ---------------------------------------------------------------- step logs

  /** Problem 3: a running step's output is followed live; a killed step keeps all of it. */
  @Test
  void aRunningStepsOutputIsFollowedLiveAndAKilledStepKeepsAllOfIt() throws IOException {
    String operator = api.operator();
    signIn(operator);
    String ticking = startThroughApi("ticker", operator);
    browser.get(base() + "#/executions/" + ticking);
    By output = By.cssSelector("#steps li[data-step='tick'] pre.output");
    try (Churn churn = new Churn("quick", operator)) {
      wait.until(d -> lastLine(d.findElement(output).getText()) >= 3);
      assertThat(browser.findElement(output).getAttribute("data-live")).isEqualTo("true");
      int seen = lastLine(browser.findElement(output).getText());
      // lines appear while it runs, without a reload, while other executions come and go
      wait.until(d -> lastLine(d.findElement(output).getText()) >= seen + 5);
      assertThat(api.get("/api/executions/" + ticking, operator).json().path("status").asText())
          .isEqualTo("Running");
      screenshot("execution-live-output.png");
      churn.awaitAtLeast(3);
    }
    // well past the 4 KiB tail an event carries, then killed
    wait.until(d -> lastLine(d.findElement(output).getText()) >= 70);
    assertThat(api.post("/api/executions/" + ticking + "/stop?force=true", operator,
        "{\"reason\":\"enough\"}").status()).isEqualTo(202);
    wait.until(d -> badgeIn("#detail-status").equals("Cancelled"));
    wait.until(d -> d.findElement(output).getAttribute("data-live") == null);
    assertWholeOutput(browser.findElement(output).getText());

    // afterwards, on a fresh page, from the node's files, and the same through the API
    browser.navigate().refresh();
    wait.until(d -> lastLine(d.findElement(output).getText()) >= 70);
    String shown = browser.findElement(output).getText();
    int last = assertWholeOutput(shown);
    screenshot("execution-killed-output.png");
    ApiServer.Answer whole = api.get("/api/executions/" + ticking
        + "/steps/0/attempts/1/output", operator);
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.header("Stepwise-Output-Ended")).isEqualTo("true");
    assertThat(lastLine(whole.raw().body())).isEqualTo(last);
    Path file = dir.resolve("data").resolve("step-output").resolve(ticking).resolve("0-1.log");
    assertThat(file).exists();
    assertThat(Files.size(file)).isGreaterThan(4_096);
    assertNoConsoleErrors();
  }

  /** Every line from the first to the last one shown, once each; returns the last. */
  static int assertWholeOutput(String text) {
    int last = lastLine(text);
    assertThat(last).isGreaterThanOrEqualTo(70);
    for (int i = 1; i <= last; i++) {
      assertThat(text).as("line " + i).containsOnlyOnce("line " + i + " x");
    }
    return last;
  }

  static int lastLine(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+) x").matcher(text);
    int last = 0;
    while (m.find()) {
      last = Math.max(last, Integer.parseInt(m.group(1)));
    }
    return last;
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

  /** Starts {@code job} an hour from now, so that it stays Pending. */
  static String startLater(String job, String token) {
    ApiServer.Answer answer = api.post("/api/jobs/" + job + "/executions", token,
        "{\"startAt\":\"" + java.time.Instant.now().plusSeconds(3600) + "\"}");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
    return answer.json().get("id").asText();
  }

  static void awaitApiStatus(String id, String status) {
    Eventually.await(id + " is " + status, WAIT, () -> status.equals(
        api.get("/api/executions/" + id, api.viewer()).json().path("status").asText()));
  }

  /** Starts runs of a job one after the other in the background, until closed. */
  final class Churn implements AutoCloseable {
    private final List<String> started = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    Churn(String job, String token) {
      thread = new Thread(() -> {
        while (running) {
          started.add(startThroughApi(job, token));
          try {
            Thread.sleep(150);   // a pace, not a wait for anything
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "churn");
      thread.setDaemon(true);
      thread.start();
    }

    void awaitAtLeast(int n) {
      Eventually.await(n + " runs started", WAIT, () -> started.size() >= n);
    }

    /** The runs started so far, once every one of them ended. */
    List<String> ended() {
      List<String> ids;
      synchronized (started) {
        ids = List.copyOf(started);
      }
      ids.forEach(id -> awaitApiStatus(id, "Success"));
      return ids;
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Records, in the page, every moment a row shows that does not match the filter: a mutation
   * observer sees each change as the page makes it, not only where a poll happens to look.
   */
  void watchFilter(String status, String job) {
    js("window.filterViolations = [];"
        + "const status = arguments[0], job = arguments[1];"
        + "if (window.filterWatch) window.filterWatch.disconnect();"
        + "const check = () => { for (const tr of document.querySelectorAll("
        + "'#executions tbody tr[data-id]')) {"
        + " if ((status && tr.dataset.status !== status) || (job && tr.dataset.job !== job))"
        + " window.filterViolations.push(tr.dataset.id + ' ' + tr.dataset.status + ' '"
        + " + tr.dataset.job); } };"
        + "window.filterWatch = new MutationObserver(check);"
        + "window.filterWatch.observe(document.getElementById('main'), {subtree: true,"
        + " childList: true, attributes: true, attributeFilter: ['data-status']});"
        + "check();", status, job);
  }

  @SuppressWarnings("unchecked")
  List<String> filterViolations() {
    return (List<String>) js("return window.filterViolations || [];");
  }

  void awaitOnlyMatchingRows(String status) {
    wait.until(d -> d.findElements(By.cssSelector("#executions tbody tr[data-id]")).stream()
        .allMatch(tr -> status.equals(tr.getAttribute("data-status"))));
  }

  List<String> rowIds() {
    return browser.findElements(By.cssSelector("#executions tbody tr[data-id]")).stream()
        .map(tr -> tr.getAttribute("data-id")).toList();
  }

  /**
   * Inside the viewport and not clipped by a scrolling box: what is at its centre is it. Found
   * afresh when a live update re-rendered it in between.
   */
  void assertOnScreen(java.util.function.Supplier<WebElement> find) {
    for (int tries = 1; ; tries++) {
      try {
        assertOnScreen(find.get());
        return;
      } catch (StaleElementReferenceException e) {
        if (tries == 5) {
          throw e;
        }
      }
    }
  }

  void assertOnScreen(WebElement element) {
    // scrolls the page down only: scrollIntoView would also scroll a box sideways, which is
    // exactly what a person at 400 px cannot easily do
    Object verdict = js("const el = arguments[0];"
        + "window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 200);"
        + "const r = el.getBoundingClientRect(); const w = document.documentElement.clientWidth;"
        + "if (r.left < 0 || r.right > w) return 'outside 0..' + w + ': ' + r.left + '..' + r.right;"
        + "const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        + "return at && (at === el || el.contains(at)) ? 'ok' : 'covered by ' + (at && at.outerHTML"
        + ".slice(0, 80));", element);
    assertThat(verdict).as(element.getText() + " on screen").isEqualTo("ok");
  }

  /** What tells two controls apart at a glance: their colours and border. */
  static String looks(WebElement element) {
    return element.getCssValue("background-color") + " " + element.getCssValue("color") + " "
        + element.getCssValue("border-color");
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

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
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
