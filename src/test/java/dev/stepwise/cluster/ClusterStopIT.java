package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.cluster.LocalCluster.Answer;
import dev.stepwise.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real node JVMs: stops may arrive at any node, sharding takes them to the node that runs
 * the execution, and the outcome and the journaled events are those of a single node
 * ({@code StopOverHttpEndToEndIT}); the event stream of a third node carries them all.
 */
class ClusterStopIT {

  static final Duration WAIT = Duration.ofSeconds(30);

  static LocalCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.start("stop", 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Starts executions of {@code job} through node {@code via} until one runs on a node that
   * {@code wanted} accepts (a different node than {@code via}, or a given one); force-stops the
   * others, which sharding happened to place elsewhere.
   */
  static String[] startRunningOn(String job, int via, java.util.function.IntPredicate wanted) {
    List<String> strays = new ArrayList<>();
    try {
      for (int tries = 0; tries < 40; tries++) {
        String id = cluster.start(via, job);
        int host = cluster.awaitHost(id);
        if (wanted.test(host)) {
          return new String[] {id, Integer.toString(host)};
        }
        strays.add(id);
      }
      throw new AssertionError("no execution of " + job + " landed where wanted in 40 starts");
    } finally {
      strays.forEach(id -> assertThat(cluster.stop(via, id, true, "placed elsewhere").status())
          .isEqualTo(202));
    }
  }

  @Test
  void stopsThroughAnyNodeReachTheOwningNodeWithSingleNodeOutcomesAndEvents() throws Exception {
    String operator = cluster.token("otto", "operator");
    int a = 0;
    try (EventStream watchOnC = new EventStream(cluster, 2, cluster.token("vera", "viewer"))) {
      // graceful: started through A, runs on B, stopped through C; the step ends when the
      // test opens its gate, after the stop
      Path gate = dir.resolve("gate");
      Path gentleDir = Files.createDirectory(dir.resolve("gentle"));
      cluster.defineJob(a, "gentle", "{\"steps\":["
          + cluster.shellStep("one", "while [ ! -e " + gate + " ]; do sleep 0.1; done") + ","
          + cluster.shellStep("two", "touch " + gentleDir.resolve("two")) + "]}");
      String[] placed = startRunningOn("gentle", a, host -> host != a);
      String gentle = placed[0];
      int b = Integer.parseInt(placed[1]);
      int c = 3 - a - b;

      // the stream of C was opened before anything started; make sure it is live by now
      Eventually.await("node C streams the events of the execution on B", WAIT,
          () -> watchOnC.typesOf(gentle).contains("StepStarted"));

      Answer stopping = cluster.send(c, "POST", "/api/executions/" + gentle + "/stop",
          operator, "{\"reason\":\"not today\"}");
      assertThat(stopping.status()).isEqualTo(202);
      assertThat(stopping.json().get("status").asText()).isEqualTo("Cancelling");
      Files.createFile(gate);
      JsonNode cancelled = Eventually.await(gentle + " is Cancelled", WAIT,
          () -> cluster.view(c, gentle), v -> "Cancelled".equals(v.path("status").asText()));
      assertThat(cancelled.at("/cancellation/mode").asText()).isEqualTo("graceful");
      assertThat(cancelled.at("/cancellation/requestedBy").asText()).isEqualTo("otto");
      assertThat(cancelled.at("/cancellation/reason").asText()).isEqualTo("not today");
      assertThat(cancelled.at("/steps/0/status").asText()).isEqualTo("Success");
      assertThat(cancelled.at("/steps/1/status").asText()).isEqualTo("Skipped");
      assertThat(gentleDir.resolve("two")).doesNotExist();
      assertThat(cluster.history(a, gentle)).containsExactly("ExecutionCreated",
          "ExecutionStarted", "StepStarted", "StopRequested", "StepSucceeded",
          "ExecutionCancelled");

      // force: started through C, runs on B, stopped through A; answered once the work is dead
      String mark = UUID.randomUUID().toString();
      Path roughDir = Files.createDirectory(dir.resolve("rough"));
      cluster.defineJob(a, "rough", "{\"steps\":["
          + cluster.shellStep("one", "sleep 300 & sleep 301 & wait", mark) + ","
          + cluster.shellStep("two", "touch " + roughDir.resolve("two")) + "]}");
      String rough = startRunningOn("rough", c, host -> host == b)[0];
      Eventually.await("bash and both sleeps of the forced execution run", WAIT,
          () -> dev.stepwise.testing.Processes.withEnv("MARK", mark).size() == 3);
      Answer killed = cluster.send(a, "POST", "/api/executions/" + rough + "/stop?force=true",
          operator, "{\"reason\":\"runaway\"}");
      assertThat(killed.status()).isEqualTo(202);
      assertThat(killed.json().get("status").asText()).isEqualTo("Cancelled");
      assertThat(killed.json().at("/cancellation/mode").asText()).isEqualTo("force");
      assertThat(killed.json().at("/steps/0/status").asText()).isEqualTo("Interrupted");
      assertThat(dev.stepwise.testing.Processes.withEnv("MARK", mark)).isEmpty();
      assertThat(roughDir.resolve("two")).doesNotExist();
      assertThat(cluster.history(b, rough)).containsExactly("ExecutionCreated",
          "ExecutionStarted", "StepStarted", "StopRequested", "StepInterrupted",
          "ExecutionCancelled");

      // the stream of C carries every event of both, in journal order, nothing twice
      Eventually.await("node C streams both executions to their end", WAIT,
          () -> watchOnC.typesOf(gentle).contains("ExecutionCancelled")
              && watchOnC.typesOf(rough).contains("ExecutionCancelled"));
      assertThat(watchOnC.typesOf(gentle)).isEqualTo(cluster.history(c, gentle));
      assertThat(watchOnC.typesOf(rough)).isEqualTo(cluster.history(c, rough));

      // an ended execution refuses a stop, wherever it is asked
      for (int node : LocalCluster.indexes(3)) {
        assertThat(cluster.stop(node, rough, false, "again").status()).isEqualTo(409);
      }
    }
  }
}
