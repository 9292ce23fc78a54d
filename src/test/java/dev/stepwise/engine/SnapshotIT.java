package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Executions snapshot every 100 events and when they end, and recover from the snapshot. */
class SnapshotIT {

  @Test
  void anExecutionOfSixtyStepsIsSnapshottedAndRecoversFromIt() throws Exception {
    TestDatabase.Credentials database = TestDatabase.fresh();
    List<StepDefinition> steps = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      steps.add(StepDefinition.sleep("s" + i, 0));
    }
    String id;
    try (TestNode node = TestNode.on(database)) {
      id = node.start(new JobDefinition(null, steps, null, null, null, null));
      node.awaitJournaled(id, "ExecutionSucceeded");
    }
    List<Long> snapshots = new ArrayList<>();
    try (var connection = DriverManager.getConnection(database.url(), database.user(),
             database.password());
         var statement = connection.prepareStatement("select sequence_number from snapshot"
             + " where persistence_id = ? order by sequence_number")) {
      statement.setString(1, ExecutionEntity.persistenceId(id).id());
      try (var rows = statement.executeQuery()) {
        while (rows.next()) {
          snapshots.add(rows.getLong(1));
        }
      }
    }
    // every 100 events (a batch that crosses 100 is snapshotted after its last event), and at
    // the terminal event, so that retention can prune an ended execution's journal
    assertThat(snapshots).hasSize(2).last().isEqualTo(123L);
    assertThat(snapshots.get(0)).isBetween(100L, 102L);
    try (TestNode node = TestNode.on(database)) {
      ExecutionView view = node.view(id);
      assertThat(view.status()).isEqualTo(Status.Success);
      assertThat(view.steps()).hasSize(60).allMatch(s -> s.status().name().equals("Success"));
      assertThat(view.sequenceNr()).isEqualTo(123);
    }
  }
}
