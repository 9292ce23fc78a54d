package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.http.ApiServer.Answer;
import dev.stepwise.persistence.readside.ExecutionSummaryProjection;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Gates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on a real node: a graceful and a force stop over HTTP, a retried step
 * and an event stream move exactly the series they should, and no execution id appears.
 */
class MetricsIT {

  static final Duration WAIT = Duration.ofSeconds(30);

  static final Gates gates = new Gates();
  static ApiServer api;

  @BeforeAll
  static void start() {
    api = new ApiServer(Map.of("stepwise.http.sse-heartbeat", "1s",
        "stepwise.metrics.read-side-refresh", "100ms"), Map.of("gate", gates));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** One sample of the exposition: its metric name, its labels as printed, its value. */
  record Sample(String name, String labels, double value) {}

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");

  static List<Sample> scrape() {
    Answer answer = api.get("/metrics", null);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    List<Sample> samples = new ArrayList<>();
    for (String line : answer.raw().body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a Prometheus sample line: " + line).isTrue();
      samples.add(new Sample(m.group(1), m.group(2) == null ? "" : m.group(2),
          Double.parseDouble(m.group(3))));
    }
    return samples;
  }

  /** The sum of the samples of {@code name} whose labels contain each of {@code labels}. */
  static double value(List<Sample> samples, String name, String... labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> List.of(labels).stream().allMatch(l -> s.labels().contains(l)))
        .mapToDouble(Sample::value).sum();
  }

  static boolean present(List<Sample> samples, String name, String... labels) {
    return samples.stream().anyMatch(s -> s.name().equals(name)
        && List.of(labels).stream().allMatch(l -> s.labels().contains(l)));
  }

  static String startRun(String job) {
    Answer started = api.post("/api/jobs/" + job + "/executions", api.operator(), null);
    assertThat(started.status()).as(started.toString()).isEqualTo(202);
    return started.json().get("id").asText();
  }

  static void awaitStatus(String id, String status) {
    Eventually.await(id + " is " + status, WAIT,
        () -> api.get("/api/executions/" + id, api.viewer()).json().path("status").asText(),
        status::equals);
  }

  static double awaitValue(String what, double expected, String name, String... labels) {
    return Eventually.await(what, WAIT, () -> value(scrape(), name, labels),
        v -> v == expected);
  }

  @Test
  void stopsRetriesAndStreamsMoveTheirSeriesByExactlyWhatHappened() {
    Answer empty = api.get("/metrics", null);
    assertThat(empty.status()).isEqualTo(200);
    assertThat(empty.contentType()).startsWith("text/plain").contains("version=0.0.4");
    assertThat(api.put("/api/jobs/gated", api.admin(),
        "{\"steps\":[{\"name\":\"wait\",\"type\":\"gate\"},"
            + "{\"name\":\"after\",\"type\":\"gate\"}]}")
        .status()).isEqualTo(201);
    assertThat(api.put("/api/jobs/flaky", api.admin(), "{\"steps\":[{\"name\":\"try\","
        + "\"type\":\"gate\",\"retry\":{\"maxAttempts\":2,\"backoffSeconds\":0}}]}")
        .status()).isEqualTo(201);

    String gentle = startRun("gated");
    String forced = startRun("gated");
    Gates.Gate gentleGate = gates.await(gentle, "wait", 1);
    gates.await(forced, "wait", 1);
    // cluster-wide from the read side: both run
    awaitValue("two executions Running", 2, "stepwise_executions_active", "status=\"Running\"");

    Answer graceful = api.post("/api/executions/" + gentle + "/stop", api.operator(),
        "{\"reason\":\"metrics test\"}");
    assertThat(graceful.status()).isEqualTo(202);
    assertThat(graceful.json().get("status").asText()).isEqualTo("Cancelling");
    awaitValue("one execution Cancelling", 1, "stepwise_executions_active",
        "status=\"Cancelling\"");
    gentleGate.pass();
    Answer force = api.post("/api/executions/" + forced + "/stop?force=true", api.operator(),
        "{}");
    assertThat(force.status()).isEqualTo(202);
    assertThat(force.json().get("status").asText()).isEqualTo("Cancelled");
    awaitStatus(gentle, "Cancelled");

    String flaky = startRun("flaky");
    gates.await(flaky, "try", 1).fail("first attempt fails");
    gates.await(flaky, "try", 2).pass();
    awaitStatus(flaky, "Success");

    // the read side has caught up with all three: none runs, none is being stopped
    List<Sample> after = Eventually.await("the read side caught up", WAIT, MetricsIT::scrape,
        s -> value(s, "stepwise_projection_lag_events") == 0
            && value(s, "stepwise_projection_lag_seconds") == 0
            && value(s, "stepwise_executions_active", "status=\"Running\"") == 0
            && value(s, "stepwise_executions_active", "status=\"Cancelling\"") == 0
            && value(s, "stepwise_executions_finished_total", "job=\"gated\"") == 2
            && value(s, "stepwise_executions_finished_total", "job=\"flaky\"") == 1);
    assertThat(value(after, "stepwise_executions_submitted_total", "job=\"gated\"")).isEqualTo(2);
    assertThat(value(after, "stepwise_executions_started_total", "job=\"gated\"")).isEqualTo(2);
    assertThat(value(after, "stepwise_executions_started_total", "job=\"flaky\"")).isEqualTo(1);
    assertThat(value(after, "stepwise_stop_requests_total", "mode=\"graceful\"")).isEqualTo(1);
    assertThat(value(after, "stepwise_stop_requests_total", "mode=\"force\"")).isEqualTo(1);
    assertThat(value(after, "stepwise_stop_escalations_total")).isZero();
    assertThat(value(after, "stepwise_executions_finished_total", "job=\"gated\"",
        "status=\"Cancelled\"")).isEqualTo(2);
    assertThat(value(after, "stepwise_executions_finished_total", "job=\"flaky\"",
        "status=\"Success\"")).isEqualTo(1);
    assertThat(value(after, "stepwise_stop_to_cancelled_seconds_count")).isEqualTo(2);
    assertThat(value(after, "stepwise_stop_to_cancelled_seconds_count", "mode=\"graceful\""))
        .isEqualTo(1);
    assertThat(value(after, "stepwise_stop_to_cancelled_seconds_count", "mode=\"force\""))
        .isEqualTo(1);
    assertThat(value(after, "stepwise_stop_to_cancelled_seconds_bucket", "mode=\"force\"",
        "le=\"+Inf\"")).isEqualTo(1);
    assertThat(value(after, "stepwise_step_retries_total", "type=\"gate\"")).isEqualTo(1);
    // gentle's step succeeded, forced's was killed, flaky's failed once and then succeeded
    assertThat(value(after, "stepwise_step_duration_seconds_count", "type=\"gate\"",
        "outcome=\"succeeded\"")).isEqualTo(2);
    assertThat(value(after, "stepwise_step_duration_seconds_count", "type=\"gate\"",
        "outcome=\"interrupted\"")).isEqualTo(1);
    assertThat(value(after, "stepwise_step_duration_seconds_count", "type=\"gate\"",
        "outcome=\"failed\"")).isEqualTo(1);
    assertThat(value(after, "stepwise_journal_write_seconds_count")).isGreaterThan(0);
    assertThat(value(after, "stepwise_journal_events_total")).isGreaterThanOrEqualTo(15);
    assertThat(value(after, "stepwise_dead_letters")).isZero();
    assertThat(present(after, "jvm_memory_used_bytes", "area=\"heap\"")).isTrue();
    assertThat(present(after, "jvm_threads_live_threads")).isTrue();
    assertThat(present(after, "jvm_gc_pause_seconds_count")
        || present(after, "jvm_gc_memory_allocated_bytes_total")).isTrue();
    assertThat(value(after, "stepwise_dispatcher_threads_max", "dispatcher=\"step\""))
        .isEqualTo(16);
    assertThat(present(after, "stepwise_dispatcher_threads", "dispatcher=\"default\"")).isTrue();
    assertThat(value(after, "stepwise_dispatcher_threads_max", "dispatcher=\"default\""))
        .isGreaterThan(0);

    String text = api.get("/metrics", null).raw().body();
    for (String id : List.of(gentle, forced, flaky)) {
      assertThat(text).doesNotContain(id);
    }
    assertThat(text).doesNotContain("executionId").doesNotContain("execution_id");
  }

  @Test
  void projectionLagCountsWhatTheReadSideHasNotSeenYet() throws Exception {
    assertThat(api.put("/api/jobs/quick", api.admin(),
        "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":0}]}").status())
        .isIn(200, 201);
    ProjectionManagement management = ProjectionManagement.get(api.system());
    management.pause(ExecutionSummaryProjection.ID).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    try {
      String id = startRun("quick");
      awaitStatus(id, "Success");
      Eventually.await("the lag shows the unread events and their age", WAIT,
          MetricsIT::scrape, s -> value(s, "stepwise_projection_lag_events") >= 4
              && value(s, "stepwise_projection_lag_seconds") > 0);
    } finally {
      management.resume(ExecutionSummaryProjection.ID).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    }
    Eventually.await("the lag is gone once the projection runs", WAIT, MetricsIT::scrape,
        s -> value(s, "stepwise_projection_lag_events") == 0
            && value(s, "stepwise_projection_lag_seconds") == 0);
  }

  @Test
  void eventStreamClientsAreCountedWhileConnected() {
    double before = value(scrape(), "stepwise_sse_clients");
    try (SseClient client = new SseClient(api, "", api.viewer(), null, events -> false)) {
      assertThat(client.status.join()).isEqualTo(200);
      awaitValue("one more stream", before + 1, "stepwise_sse_clients");
    }
    awaitValue("the stream closed", before, "stepwise_sse_clients");
  }

  @Test
  void aTokenIsRequiredOnlyWhenConfigured() {
    try (ApiServer guarded = new ApiServer(Map.of("stepwise.metrics.require-token", true))) {
      assertThat(guarded.get("/metrics", null).status()).isEqualTo(401);
      Answer viewed = guarded.get("/metrics", guarded.viewer());
      assertThat(viewed.status()).isEqualTo(200);
      assertThat(viewed.raw().body()).contains("stepwise_sse_clients");
    }
    assertThat(api.get("/metrics", null).status()).isEqualTo(200);
  }
}
