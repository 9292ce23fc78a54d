package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.cli.AuditTool;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.persistence.ExecutionJournal;
import dev.stepwise.persistence.audit.AuditRecord;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit command line against the database of a running node, checked against its API. */
class AuditToolIT {

  static TestDatabase.Credentials database;
  static ApiServer api;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    database = TestDatabase.fresh();
    api = new ApiServer(Map.of(
        "stepwise.database.url", database.url(),
        "stepwise.database.user", database.user(),
        "stepwise.database.password", database.password()));
    assertThat(api.put("/api/jobs/two-naps", api.admin(), "{\"steps\":["
        + "{\"name\":\"short\",\"type\":\"sleep\",\"seconds\":0.1},"
        + "{\"name\":\"long\",\"type\":\"sleep\",\"seconds\":3600}]}").status()).isEqualTo(201);
    assertThat(api.put("/api/jobs/quick", api.admin(),
        "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":0}]}").status())
        .isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** Output and exit code of one run of the tool. */
  record Run(int exitCode, String out, String err) {}

  static Run audit(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Config db = ConfigFactory.parseMap(Map.of(
        "stepwise.database.url", database.url(),
        "stepwise.database.user", database.user(),
        "stepwise.database.password", database.password()));
    int code = AuditTool.run(args, db, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void replayToEverySequenceNumberEqualsTheApisAsOfView() throws Exception {
    String id = api.post("/api/jobs/two-naps/executions", api.operator(), "").json()
        .get("id").asText();
    Eventually.await("second step running", Duration.ofSeconds(20), () -> "long".equals(
        api.get("/api/executions/" + id, api.viewer()).json().path("currentStep").asText()));
    assertThat(api.post("/api/executions/" + id + "/stop", api.operator(),
        "{\"reason\":\"audit me\",\"graceSeconds\":1}").status()).isEqualTo(202);
    Eventually.await("cancelled", Duration.ofSeconds(20), () -> "Cancelled".equals(
        api.get("/api/executions/" + id, api.viewer()).json().get("status").asText()));

    JsonNode history = api.get("/api/executions/" + id + "/history", api.viewer()).json();
    int events = history.get("events").size();
    assertThat(events).isEqualTo(9);
    for (int seq = 1; seq <= events; seq++) {
      Run replay = audit("replay", id, "--to", Integer.toString(seq));
      assertThat(replay.exitCode()).as(replay.err()).isZero();
      JsonNode fromTool = AuditRecord.parseJson(replay.out());
      JsonNode fromApi = api.get("/api/executions/" + id + "?asOf=" + seq, api.viewer()).json();
      assertThat(essentials(fromTool)).as("as of event " + seq).isEqualTo(essentials(fromApi));
    }

    Run timeline = audit("timeline", id);
    assertThat(timeline.exitCode()).isZero();
    List<String> lines = timeline.out().lines().toList();
    assertThat(lines).hasSize(events);
    assertThat(lines.get(5)).contains("StopRequested").contains("requestedBy=\"otto\"")
        .contains("reason=\"audit me\"");
    assertThat(lines.get(6)).contains("StopEscalated").contains("grace period of 1 s");
  }

  /** The fields both views must agree on, including every step's latest attempt. */
  static Map<String, Object> essentials(JsonNode view) {
    Map<String, Object> fields = new HashMap<>();
    for (String name : List.of("id", "job", "status", "currentStep", "sequenceNr", "error",
        "createdAt", "startedAt", "completedAt", "createdBy", "retryOf")) {
      fields.put(name, view.path(name).asText(null));
    }
    List<String> steps = new ArrayList<>();
    view.get("steps").forEach(step -> steps.add(step.path("name").asText() + "/"
        + step.path("status").asText() + "/" + step.path("attempt").asText() + "/"
        + step.path("startedAt").asText(null) + "/" + step.path("completedAt").asText(null)
        + "/" + step.path("error").asText(null)));
    fields.put("steps", steps);
    JsonNode cancellation = view.path("cancellation");
    fields.put("cancellation", cancellation.isMissingNode() || cancellation.isNull() ? null
        : cancellation.path("mode").asText() + "/" + cancellation.path("reason").asText() + "/"
            + cancellation.path("requestedBy").asText() + "/"
            + cancellation.path("requestedAt").asText() + "/"
            + cancellation.path("escalatedBy").asText(null));
    return fields;
  }

  @Test
  void exportOfAThousandExecutionsRoundTrips() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<String>> started = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      started.add(pool.submit(() -> {
        ApiServer.Answer answer = api.post("/api/jobs/quick/executions", api.operator(), "");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
        return answer.json().get("id").asText();
      }));
    }
    List<String> ids = new ArrayList<>();
    for (Future<String> future : started) {
      ids.add(future.get());
    }
    pool.shutdown();
    ExecutionJournal journal = new ExecutionJournal(api.system());
    java.util.Set<String> unfinished = new java.util.HashSet<>(ids);
    Eventually.await("all thousand succeeded", Duration.ofSeconds(90), () -> {
      unfinished.removeIf(id -> journal.history(id, Long.MAX_VALUE).toCompletableFuture().join()
          .stream().anyMatch(e -> e.event() instanceof ExecutionEntity.ExecutionSucceeded));
      return unfinished.isEmpty();
    });

    Path file = dir.resolve("export.jsonl");
    Run export = audit(new String[] {"export", "--out", file.toString()});
    assertThat(export.exitCode()).as(export.err()).isZero();
    assertThat(export.err()).contains("exported");

    Map<String, List<AuditRecord>> byExecution = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      AuditRecord record = AuditRecord.parse(line);
      byExecution.computeIfAbsent(record.executionId(), k -> new ArrayList<>()).add(record);
    }
    assertThat(byExecution.keySet()).containsAll(ids);
    for (String id : ids) {
      List<ExecutionJournal.Entry> journaled =
          journal.history(id, Long.MAX_VALUE).toCompletableFuture().join();
      assertThat(byExecution.get(id)).extracting(AuditRecord::event)
          .as(id).containsExactlyElementsOf(
              journaled.stream().map(ExecutionJournal.Entry::event).toList());
      assertThat(byExecution.get(id)).extracting(AuditRecord::toJsonLine)
          .containsExactlyElementsOf(journaled.stream()
              .map(e -> AuditRecord.of(e).toJsonLine()).toList());
    }
  }

  @Test
  void mistakesGetClearMessagesAndExitCodes() {
    Run none = audit();
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("usage: stepwise audit timeline");
    Run unknown = audit("timeline", "00000000-0000-0000-0000-000000000000");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("no execution");
    assertThat(audit("replay", "x", "--to", "zero").exitCode()).isEqualTo(2);
    assertThat(audit("fly").err()).contains("unknown command 'fly'");
  }
}
