package dev.stepwise.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retention prunes the journal of ended executions and leaves everything a reader needs. */
class RetentionIT {

  @Test
  void endedExecutionsLoseTheirHistoryButStillListReadAndRecover() throws Exception {
    TestDatabase.Credentials db = TestDatabase.fresh();
    Map<String, Object> retention = Map.of("stepwise.retention.enabled", true,
        "stepwise.retention.keep-for", "1s", "stepwise.retention.interval", "200ms");
    String ended;
    String running;
    try (TestNode node = TestNode.on(db, Map.of(), retention)) {
      ended = node.start(JobDefinition.of(StepDefinition.sleep("a", 0),
          StepDefinition.sleep("b", 0), StepDefinition.sleep("c", 0)));
      running = node.start(JobDefinition.of(StepDefinition.sleep("long", 3600)));
      node.awaitStatus(ended, Status.Success);
      long before = journalRows(db, ended);
      assertThat(before).isEqualTo(9);

      Eventually.await("the ended execution's journal pruned", TestNode.WAIT,
          () -> journalRows(db, ended) == 1);
      assertThat(journalRows(db, running)).isEqualTo(3);
      assertThat(node.summaries().list("Success", null, 10, null).toCompletableFuture().join()
          .items()).anyMatch(s -> s.id().equals(ended));
    }
    try (TestNode node = TestNode.on(db)) {
      ExecutionView view = node.view(ended);
      assertThat(view.status()).isEqualTo(Status.Success);
      assertThat(view.steps()).extracting(s -> s.status().name())
          .containsExactly("Success", "Success", "Success");
      assertThat(view.sequenceNr()).isEqualTo(9);
    }
  }

  static long journalRows(TestDatabase.Credentials db, String id) {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         PreparedStatement s = c.prepareStatement(
             "SELECT count(*) FROM event_journal WHERE persistence_id = ?")) {
      s.setString(1, ExecutionEntity.persistenceId(id).id());
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
