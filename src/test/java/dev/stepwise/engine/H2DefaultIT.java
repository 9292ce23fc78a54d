package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 default: a node migrates its schema, runs executions, keeps its read side and
 * restarts on it.
 */
class H2DefaultIT {

  @TempDir Path dataDir;

  @Test
  void singleNodeOnTheH2DefaultRunsAndRemembersExecutions() {
    String id;
    try (TestNode node = TestNode.onH2(dataDir)) {
      id = node.start(JobDefinition.of(StepDefinition.shell("hello", "echo", "hello")));
      assertThat(node.awaitStatus(id, Status.Success).steps().get(0).output())
          .isEqualTo("hello\n");
    }
    try (TestNode again = TestNode.onH2(dataDir)) {
      assertThat(again.view(id).status()).isEqualTo(Status.Success);
      assertThat(again.journalTypes(id)).endsWith("StepSucceeded", "ExecutionSucceeded");
      Eventually.await("the read side on H2 lists it", TestNode.WAIT, () ->
          again.summaries().list("Success", null, 10, null).toCompletableFuture().join()
              .items().stream().anyMatch(s -> s.id().equals(id)));
    }
  }
}
