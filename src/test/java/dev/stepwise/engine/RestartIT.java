package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stops in the middle of steps and a new node on the same database takes over: with no
 * client command, a running execution resumes to its end and a cancelling one ends cancelled.
 */
class RestartIT {

  @TempDir Path dir;

  @Test
  void executionsResumeAfterANodeRestartWithoutAnyClientCommand() throws Exception {
    TestDatabase.Credentials database = TestDatabase.fresh();
    Path firstRun = dir.resolve("first-run");
    Path cancellingStarted = dir.resolve("cancelling-started");
    String running;
    String cancelling;
    try (TestNode before = TestNode.on(database)) {
      running = before.start(JobDefinition.of(
          StepDefinition.shell("slow", "bash", "-c",
              "if [ -e " + firstRun + " ]; then exit 0; fi; touch " + firstRun + "; sleep 300"),
          StepDefinition.shell("after", "true")));
      cancelling = before.start(JobDefinition.of(
          StepDefinition.shell("slow", "bash", "-c", "touch " + cancellingStarted + "; sleep 300"),
          StepDefinition.shell("never", "true")));
      Eventually.await("both first steps run", TestNode.WAIT,
          () -> Files.exists(firstRun) && Files.exists(cancellingStarted));
      var reply = before.stop(cancelling, StopMode.graceful, "maintenance", "ops", 3600);
      assertThat(reply).isInstanceOf(ExecutionEntity.StopAccepted.class);
    }

    try (TestNode after = TestNode.on(database)) {
      List<String> resumed = after.awaitJournaled(running, "ExecutionSucceeded");
      assertThat(resumed).containsSubsequence("StepStarted", "StepInterrupted", "StepStarted",
          "StepSucceeded", "StepStarted", "StepSucceeded", "ExecutionSucceeded");

      List<String> cancelled = after.awaitJournaled(cancelling, "ExecutionCancelled");
      assertThat(cancelled).endsWith("StopRequested", "StepInterrupted", "ExecutionCancelled");
      assertThat(cancelled).doesNotContain("StepSucceeded");

      assertThat(after.view(running).status()).isEqualTo(Status.Success);
      assertThat(after.view(cancelling).status()).isEqualTo(Status.Cancelled);
      assertThat(after.view(cancelling).cancellation().reason()).isEqualTo("maintenance");

      // ended executions passivate: the shards hold neither of them any more
      Eventually.await("ended executions passivated", TestNode.WAIT,
          () -> after.liveExecutions().stream().noneMatch(id -> id.equals(running)
              || id.equals(cancelling)));
    }
  }
}
