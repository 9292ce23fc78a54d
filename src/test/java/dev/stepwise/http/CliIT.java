package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.cli.Stepwise;
import dev.stepwise.testing.Eventually;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line client against a real node: each command's answer, its table and JSON
 * output, and the exit codes docs/cli.md promises scripts.
 */
class CliIT {

  static final Duration WAIT = Duration.ofSeconds(60);
  static ApiServer api;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    api = new ApiServer();
    assertThat(api.put("/api/jobs/long-nap", api.admin(),
        "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":3600},"
            + "{\"name\":\"after\",\"type\":\"sleep\",\"seconds\":0}]}").status()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  record Run(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  static Run cli(String token, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = token == null ? Map.of("STEPWISE_URL", api.uri("").toString())
        : Map.of("STEPWISE_URL", api.uri("").toString(), "STEPWISE_TOKEN", token);
    int code = Stepwise.run(args, env, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String startRunning(String job) {
    String id = api.post("/api/jobs/" + job + "/executions", api.operator(), "").json()
        .get("id").asText();
    Eventually.await(id + " runs", WAIT, () -> "Running".equals(
        api.get("/api/executions/" + id, api.viewer()).json().path("status").asText()));
    return id;
  }

  @Test
  void forceStopAnswersCancelledAndASecondStopIsAConflict() {
    String id = startRunning("long-nap");
    Run stop = cli(api.operator(), "stop", id, "--force", "--reason", "runaway");
    assertThat(stop.exitCode()).as(stop.err()).isZero();
    assertThat(stop.out()).contains("ID", "STATUS", id, "Cancelled", "force");
    JsonNode view = api.get("/api/executions/" + id, api.viewer()).json();
    assertThat(view.get("status").asText()).isEqualTo("Cancelled");
    assertThat(view.at("/cancellation/reason").asText()).isEqualTo("runaway");
    assertThat(view.at("/cancellation/requestedBy").asText()).isEqualTo("otto");

    Run again = cli(api.operator(), "stop", id);
    assertThat(again.exitCode()).isEqualTo(6);
    assertThat(again.err()).startsWith("stepwise stop: 409");
  }

  @Test
  void gracefulStopTakesTheGracePeriodAndPrintsJson() {
    String id = startRunning("long-nap");
    Run stop = cli(api.operator(), "stop", id, "--grace", "2m", "--reason", "later", "-o", "json");
    assertThat(stop.exitCode()).as(stop.err()).isZero();
    JsonNode view = stop.json();
    assertThat(view.get("status").asText()).isEqualTo("Cancelling");
    assertThat(view.at("/cancellation/mode").asText()).isEqualTo("graceful");
    var requested = java.time.Instant.parse(view.at("/cancellation/requestedAt").asText());
    var deadline = java.time.Instant.parse(view.at("/cancellation/graceDeadline").asText());
    assertThat(Duration.between(requested, deadline)).isEqualTo(Duration.ofMinutes(2));
    // and by force, to end it
    assertThat(cli(api.operator(), "stop", id, "--force").exitCode()).isZero();
  }

  @Test
  void stopJobStopsEveryUnfinishedExecutionTheReadSideKnows() {
    assertThat(cli(api.admin(), "jobs", "apply", "-f", write("many.json",
        "{\"name\":\"many\",\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":3600}]}"))
        .exitCode()).isZero();
    List<String> ids = List.of(startRunning("many"), startRunning("many"));
    Eventually.await("the read side lists both running", WAIT,
        () -> cli(api.viewer(), "executions", "--job", "many", "--status", "Running", "-o", "json"),
        run -> run.exitCode() == 0 && run.json().get("items").size() == 2);

    Run stop = cli(api.operator(), "stop", "--job", "many", "--force", "--reason", "all of them");
    assertThat(stop.exitCode()).as(stop.err()).isZero();
    assertThat(stop.out()).contains("OUTCOME", ids.get(0), ids.get(1)).contains("accepted");
    Eventually.await("the read side lists both cancelled", WAIT,
        () -> cli(api.viewer(), "executions", "--job", "many", "--status", "Cancelled"),
        run -> run.exitCode() == 0 && run.out().contains(ids.get(0)) && run.out().contains(ids.get(1)));
    Run table = cli(api.viewer(), "executions", "--job", "many");
    assertThat(table.out().lines().findFirst().orElse("")).startsWith("ID").contains("STATUS");
    assertThat(cli(api.operator(), "stop", "--job", "many").out())
        .contains("no unfinished executions of many");
  }

  @Test
  void showPrintsTheStepsAndJobsListShowsTheJob() {
    String id = startRunning("long-nap");
    Run show = cli(api.viewer(), "show", id);
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out()).contains("status:", "Running", "STEP", "nap", "after");
    assertThat(cli(api.viewer(), "jobs", "list").out()).contains("long-nap");
    cli(api.operator(), "stop", id, "--force");
  }

  @Test
  void jobsApplyNamesTheJobAfterItsFileAndRefusesBadJson() {
    Run applied = cli(api.admin(), "jobs", "apply", "-f", write("from-file.json",
        "{\"steps\":[{\"name\":\"s\",\"type\":\"sleep\",\"seconds\":0}]}"));
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    assertThat(api.get("/api/jobs/from-file", api.viewer()).status()).isEqualTo(200);

    Run broken = cli(api.admin(), "jobs", "apply", "-f", write("broken.json", "{\"steps\": ["));
    assertThat(broken.exitCode()).isEqualTo(2);
    assertThat(broken.err()).contains("is not valid JSON");
    Run invalid = cli(api.admin(), "jobs", "apply", "-f", write("invalid.json", "{\"steps\":[]}"));
    assertThat(invalid.exitCode()).isEqualTo(1);
    assertThat(invalid.err()).contains("400");
    Run viewer = cli(api.viewer(), "jobs", "apply", "-f", write("x.json",
        "{\"steps\":[{\"name\":\"s\",\"type\":\"sleep\",\"seconds\":0}]}"));
    assertThat(viewer.exitCode()).isEqualTo(4);
    assertThat(viewer.err()).contains("403");
  }

  @Test
  void logsFollowsAShellStepWhileItPrintsAndThenPrintsItWhole() throws Exception {
    Path go = dir.resolve("go");
    assertThat(api.put("/api/jobs/chatty", api.admin(), "{\"steps\":[{\"name\":\"talk\","
        + "\"type\":\"shell\",\"command\":[\"bash\",\"-c\",\"echo first; while [ ! -e "
        + go + " ]; do sleep 0.1; done; echo second\"]}]}").status()).isEqualTo(201);
    String id = startRunning("chatty");
    CompletableFuture<Run> follow = CompletableFuture.supplyAsync(() -> cli(api.viewer(),
        "logs", id, "--follow"));
    Eventually.await("the first line is in the step's output", WAIT, () -> cli(api.viewer(),
        "logs", id).out().equals("first\n"));
    assertThat(follow).as("following while the step runs").isNotDone();
    Files.createFile(go);
    Run followed = follow.get(60, TimeUnit.SECONDS);
    assertThat(followed.exitCode()).as(followed.err()).isZero();
    assertThat(followed.out()).isEqualTo("first\nsecond\n");
    Eventually.await(id + " succeeds", WAIT, () -> "Success".equals(
        api.get("/api/executions/" + id, api.viewer()).json().path("status").asText()));
    assertThat(cli(api.viewer(), "logs", id, "--step", "talk").out())
        .isEqualTo("first\nsecond\n");
    assertThat(cli(api.viewer(), "logs", id, "--step", "nope").exitCode()).isEqualTo(5);
  }

  @Test
  void watchPrintsAnExecutionsEventsAsJsonLines() throws Exception {
    String id = startRunning("long-nap");
    CompletableFuture<Run> watch = CompletableFuture.supplyAsync(() -> cli(api.viewer(),
        "watch", "--execution", id, "--since", "start", "--count", "3", "-o", "json"));
    Run run = watch.get(60, TimeUnit.SECONDS);
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> types = new ArrayList<>();
    for (String line : run.out().lines().toList()) {
      JsonNode event = Json.MAPPER.readTree(line);
      assertThat(event.get("executionId").asText()).isEqualTo(id);
      types.add(event.get("type").asText());
    }
    assertThat(types).containsExactly("ExecutionCreated", "ExecutionStarted", "StepStarted");
    cli(api.operator(), "stop", id, "--force");
  }

  @Test
  void errorsHaveTheDocumentedExitCodesAndSayWhatIsWrong() {
    Run unknown = cli(api.viewer(), "show", "00000000-0000-0000-0000-000000000000");
    assertThat(unknown.exitCode()).isEqualTo(5);
    assertThat(unknown.err()).contains("404");
    Run badToken = cli(api.viewer() + "x", "executions");
    assertThat(badToken.exitCode()).isEqualTo(4);
    assertThat(badToken.err()).contains("401");
    Run noToken = cli(null, "executions");
    assertThat(noToken.exitCode()).isEqualTo(4);
    assertThat(noToken.err()).contains("STEPWISE_TOKEN");
    Run viewerStop = cli(api.viewer(), "stop", "00000000-0000-0000-0000-000000000000");
    assertThat(viewerStop.exitCode()).isEqualTo(4);

    assertThat(cli(api.operator(), "stop").err()).contains("missing execution id");
    assertThat(cli(api.operator(), "stop", "x", "--grace", "soon").err())
        .contains("--grace needs seconds");
    assertThat(cli(api.operator(), "stop", "--job", "j", "--grace", "5").err())
        .contains("--grace applies to one execution");
    assertThat(cli(api.operator(), "executions", "--output", "xml").err())
        .contains("--output is table or json");
    assertThat(cli(api.operator(), "executions", "--colour").err())
        .contains("unknown option --colour");
    for (String[] args : List.of(new String[] {"stop"}, new String[] {"frobnicate"},
        new String[] {"watch", "--count", "0"}, new String[] {"jobs", "apply"})) {
      assertThat(cli(api.operator(), args).exitCode()).as(String.join(" ", args)).isEqualTo(2);
    }
    Run unreachable = cli(api.operator(), "executions", "--url", "http://127.0.0.1:1");
    assertThat(unreachable.exitCode()).isEqualTo(3);
    assertThat(unreachable.err()).contains("cannot reach");
  }

  private String write(String name, String content) {
    try {
      return Files.writeString(dir.resolve(name), content).toString();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
