package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StepStatus;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Processes;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shell steps as real processes on a real node journaling to PostgreSQL. */
class ShellStepIT {

  static TestNode node;

  @TempDir Path dir;

  @BeforeAll
  static void startNode() {
    node = TestNode.on(TestDatabase.fresh());
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  static StepDefinition bash(String name, String script, String mark) {
    return StepDefinition.shell(name, "bash", "-c", script).withEnv(Map.of("MARK", mark));
  }

  @Test
  void gracefulStopLetsTheShellStepFinishAndTheNextNeverStarts() throws Exception {
    String mark = UUID.randomUUID().toString();
    Path started = dir.resolve("started");
    Path finished = dir.resolve("finished");
    Path second = dir.resolve("second");
    String id = node.start(JobDefinition.of(
        bash("work", "touch " + started + "; sleep 1; echo done > " + finished, mark),
        bash("next", "touch " + second, mark)));
    Eventually.await("step 1 started", TestNode.WAIT, () -> Files.exists(started));

    var reply = node.stop(id, StopMode.graceful, "deploy went wrong", "ops", null);
    assertThat(((ExecutionEntity.StopAccepted) reply).view().status())
        .isEqualTo(Status.Cancelling);

    ExecutionView view = node.awaitStatus(id, Status.Cancelled);
    assertThat(Files.readString(finished)).isEqualTo("done\n");
    assertThat(second).doesNotExist();
    assertThat(view.steps()).extracting(s -> s.status())
        .containsExactly(StepStatus.Success, StepStatus.Skipped);
    assertThat(node.journalTypes(id)).containsExactly("ExecutionCreated", "ExecutionStarted",
        "StepStarted", "StopRequested", "StepSucceeded", "ExecutionCancelled");
  }

  @Test
  void forceStopLeavesNoProcessOfTheTreeAliveWhenCancelledIsReported() {
    String mark = UUID.randomUUID().toString();
    String id = node.start(JobDefinition.of(
        bash("tree", "sleep 300 & sleep 301 & wait", mark), bash("next", "true", mark)));
    Eventually.await("bash and both sleeps running", TestNode.WAIT,
        () -> Processes.withEnv("MARK", mark).size() == 3);

    var reply = node.stop(id, StopMode.force, "runaway", "ops", null);

    assertThat(Processes.withEnv("MARK", mark)).isEmpty();
    ExecutionView view = ((ExecutionEntity.StopAccepted) reply).view();
    assertThat(view.status()).isEqualTo(Status.Cancelled);
    assertThat(view.cancellation().mode()).isEqualTo(StopMode.force);
    assertThat(node.journalTypes(id)).endsWith("StopRequested", "StepInterrupted",
        "ExecutionCancelled");
  }

  @Test
  void escalationAfterTheGraceDeadlineKillsTheStep() {
    String mark = UUID.randomUUID().toString();
    String id = node.start(JobDefinition.of(bash("slow", "sleep 300 & wait", mark)));
    Eventually.await("step running", TestNode.WAIT,
        () -> Processes.withEnv("MARK", mark).size() == 2);

    node.stop(id, StopMode.graceful, "drain", "ops", 1);
    ExecutionView view = node.awaitStatus(id, Status.Cancelled);

    assertThat(Processes.withEnv("MARK", mark)).isEmpty();
    assertThat(view.cancellation().mode()).isEqualTo(StopMode.escalated);
    assertThat(view.cancellation().escalatedBy()).isEqualTo(ExecutionEntity.ENGINE);
    assertThat(node.journalTypes(id)).endsWith("StopRequested", "StopEscalated",
        "StepInterrupted", "ExecutionCancelled");
  }

  @Test
  void exitCodeAndOutputTailAreRecorded() {
    String mark = UUID.randomUUID().toString();
    String id = node.start(JobDefinition.of(
        bash("noisy", "head -c 10000 /dev/zero | tr '\\\\0' x; echo; echo last line; exit 3", mark)));
    ExecutionView view = node.awaitStatus(id, Status.DeadLetter);
    var step = view.steps().get(0);
    assertThat(step.exitCode()).isEqualTo(3);
    assertThat(step.output()).endsWith("last line\n").hasSizeLessThanOrEqualTo(4_100);
    assertThat(step.error()).contains("code 3");
  }

  @Test
  void backgroundChildrenDoNotOutliveTheirStep() {
    String mark = UUID.randomUUID().toString();
    String id = node.start(JobDefinition.of(bash("leaves", "sleep 300 & echo left", mark)));
    node.awaitStatus(id, Status.Success);
    assertThat(Processes.withEnv("MARK", mark)).isEmpty();
  }

  @Test
  void nodeSecretsDoNotReachTheStepEnvironmentButItsOwnEnvDoes() throws Exception {
    Path out = dir.resolve("env");
    String id = node.start(JobDefinition.of(StepDefinition.shell("env", "bash", "-c",
        "env > " + out).withEnv(Map.of("GREETING", "hello"))));
    node.awaitStatus(id, Status.Success);
    String env = Files.readString(out);
    assertThat(env).contains("GREETING=hello").doesNotContain("STEPWISE_");
  }

  @Test
  void missingProgramFailsTheStepWithAClearError() {
    String id = node.start(JobDefinition.of(
        StepDefinition.shell("nope", "/no/such/program").withRetry(1, 0)));
    ExecutionView view = node.awaitStatus(id, Status.DeadLetter);
    assertThat(view.steps().get(0).error()).contains("could not start /no/such/program");
  }

  @Test
  void stepTimeoutKillsTheTreeAndCountsAsAFailedAttempt() {
    String mark = UUID.randomUUID().toString();
    String id = node.start(JobDefinition.of(
        bash("hangs", "sleep 300 & wait", mark).withTimeoutSeconds(1)));
    ExecutionView view = node.awaitStatus(id, Status.DeadLetter);
    assertThat(view.steps().get(0).error()).contains("timed out after 1 s");
    assertThat(Processes.withEnv("MARK", mark)).isEmpty();
    assertThat(Duration.between(view.startedAt(), view.completedAt())).isLessThan(
        Duration.ofSeconds(10));
  }
}
