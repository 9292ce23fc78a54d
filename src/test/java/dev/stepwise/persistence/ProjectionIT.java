package dev.stepwise.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.engine.step.CustomStep;
import dev.stepwise.engine.step.StepResult;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import dev.stepwise.persistence.readside.ExecutionSummary;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * 500 executions driven to every kind of outcome across a node restart: once the projection has
 * caught up, each summary row says what its execution says, and the per-job outcome counts hold
 * each ended execution exactly once.
 */
class ProjectionIT {

  static final Map<String, CustomStep> STEPS = Map.of(
      "pass", context -> CompletableFuture.completedFuture(StepResult.success("ok")),
      "fail", context -> CompletableFuture.completedFuture(StepResult.failure("no luck")));

  static final int EXECUTIONS = 500;

  @Test
  void summariesMatchTheExecutionsAcrossARestart() throws Exception {
    TestDatabase.Credentials database = TestDatabase.fresh();
    List<String> ids = new ArrayList<>();
    try (TestNode node = TestNode.on(database, STEPS)) {
      drive(node, 0, EXECUTIONS / 2, ids);
    }
    try (TestNode node = TestNode.on(database, STEPS)) {
      drive(node, EXECUTIONS / 2, EXECUTIONS, ids);
      Map<String, ExecutionView> truth = Eventually.await("every execution settled",
          Duration.ofSeconds(60), () -> views(node, ids), ProjectionIT::settled);

      Map<String, ExecutionSummary> rows = Eventually.await("projection caught up",
          Duration.ofSeconds(60), () -> summaries(node.summaries()),
          summaries -> ids.stream().allMatch(id -> matches(truth.get(id), summaries.get(id))));

      assertThat(rows).hasSize(EXECUTIONS);
      for (String id : ids) {
        assertThat(matches(truth.get(id), rows.get(id))).as(id).isTrue();
      }
      Map<String, Long> expectedCounts = truth.values().stream()
          .filter(v -> v.status().isTerminal())
          .collect(Collectors.groupingBy(v -> v.job() + "/" + v.status(),
              Collectors.counting()));
      assertThat(outcomeCounts(node)).isEqualTo(expectedCounts);
      assertThat(expectedCounts.keySet()).hasSizeGreaterThanOrEqualTo(6);
    }
  }

  /** Starts executions {@code from..to} with a mix of jobs, then stops some of them. */
  private static void drive(TestNode node, int from, int to, List<String> ids) {
    List<String> toForce = new ArrayList<>();
    List<String> toDrain = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String id = UUID.randomUUID().toString();
      ids.add(id);
      String job = "job-" + (i % 7);
      JobDefinition definition = switch (i % 7) {
        case 0 -> JobDefinition.of(pass("a"), pass("b"));
        case 1 -> JobDefinition.of(pass("a"), fail("b"));
        case 2 -> JobDefinition.of(fail("a")).withDeadLetter(false);
        case 3 -> JobDefinition.of(StepDefinition.sleep("long", 3600));
        case 4 -> JobDefinition.of(StepDefinition.sleep("long", 3600), pass("after"));
        case 5 -> JobDefinition.of(StepDefinition.sleep("long", 3600)).withTimeoutSeconds(1);
        default -> JobDefinition.of(pass("a"));
      };
      Instant startAt = i % 14 == 6 ? Instant.now().plusSeconds(3600) : null;
      node.executions().start(id, job, definition, startAt, "driver", null);
      if (i % 7 == 3) {
        toForce.add(id);
      } else if (i % 7 == 4) {
        toDrain.add(id);
      }
    }
    for (String id : toForce) {
      await(node.executions().stop(id, StopMode.force, "force " + id, "ops", null));
    }
    for (String id : toDrain) {
      await(node.executions().stop(id, StopMode.graceful, "drain", "ops", 1));
    }
  }

  static StepDefinition pass(String name) {
    return StepDefinition.custom(name, "pass", null);
  }

  static StepDefinition fail(String name) {
    return StepDefinition.custom(name, "fail", null);
  }

  /** Every execution is terminal, or Pending for its far start time. */
  private static boolean settled(Map<String, ExecutionView> views) {
    return views.values().stream().allMatch(v -> v.status().isTerminal()
        || v.status().name().equals("Pending"));
  }

  private static boolean matches(ExecutionView view, ExecutionSummary row) {
    if (view == null || row == null) {
      return false;
    }
    var cancellation = view.cancellation();
    return row.status().equals(view.status().name())
        && row.job().equals(view.job())
        && row.stepCount() == view.definition().steps().size()
        && Objects.equals(row.currentStep(), view.currentStep())
        && Objects.equals(row.error(), view.error())
        && sameMillis(row.createdAt(), view.createdAt())
        && sameMillis(row.startedAt(), view.startedAt())
        && sameMillis(row.completedAt(), view.completedAt())
        && (cancellation == null ? row.cancellation() == null
            : row.cancellation() != null
                && row.cancellation().mode().equals(cancellation.mode().name())
                && Objects.equals(row.cancellation().reason(), cancellation.reason())
                && Objects.equals(row.cancellation().requestedBy(), cancellation.requestedBy()));
  }

  private static boolean sameMillis(Instant a, Instant b) {
    return a == null ? b == null : b != null
        && Math.abs(Duration.between(a, b).toNanos()) < 1_000;
  }

  private static Map<String, ExecutionView> views(TestNode node, List<String> ids) {
    Map<String, ExecutionView> views = new HashMap<>();
    for (String id : ids) {
      views.put(id, node.view(id));
    }
    return views;
  }

  private static Map<String, ExecutionSummary> summaries(ExecutionSummaries summaries) {
    Map<String, ExecutionSummary> all = new HashMap<>();
    String cursor = null;
    do {
      var page = await(summaries.list(null, null, ExecutionSummaries.MAX_LIMIT, cursor));
      page.items().forEach(s -> all.put(s.id(), s));
      cursor = page.nextCursor();
    } while (cursor != null);
    return all;
  }

  private static Map<String, Long> outcomeCounts(TestNode node) throws Exception {
    Map<String, Long> counts = new HashMap<>();
    try (Connection c = node.readSideDataSource().getConnection();
         ResultSet rows = c.createStatement().executeQuery(
             "SELECT job, status, executions FROM job_outcome_count")) {
      while (rows.next()) {
        counts.put(rows.getString(1) + "/" + rows.getString(2), rows.getLong(3));
      }
      c.commit();
    }
    return counts;
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
