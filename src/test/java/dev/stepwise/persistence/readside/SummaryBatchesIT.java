package dev.stepwise.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import dev.stepwise.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The projection folds a batch's events into a statement per execution; the summaries and counts
 * it leaves must be those that applying the same events one by one leaves, whatever the batches
 * and however the executions' events interleave. Checked on both databases.
 */
class SummaryBatchesIT {

  private static final JobDefinition TWO_STEPS = JobDefinition.of(
      StepDefinition.custom("a", "noop", null), StepDefinition.custom("b", "noop", null));

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void batchesLeaveTheSameRowsAsEventByEvent(String dialect) throws Exception {
    for (long seed = 1; seed <= 5; seed++) {
      Random random = new Random(seed);
      List<SummaryUpdates.Change> changes = interleaved(random, 60);
      DatabaseSettings oneByOne = database(dialect, "one-" + seed);
      DatabaseSettings batched = database(dialect, "batched-" + seed);

      try (Connection c = connect(oneByOne)) {
        c.setAutoCommit(false);
        for (SummaryUpdates.Change change : changes) {
          EventByEvent.apply(c, change.executionId(), change.seq(), change.event());
        }
        c.commit();
      }
      try (Connection c = connect(batched)) {
        c.setAutoCommit(false);
        int from = 0;
        while (from < changes.size()) {
          int to = Math.min(changes.size(), from + 1 + random.nextInt(40));
          SummaryUpdates.applyAll(c, changes.subList(from, to));
          from = to;
        }
        c.commit();
      }

      String summaries = "SELECT * FROM execution_summary ORDER BY execution_id";
      String counts = "SELECT * FROM job_outcome_count ORDER BY job, status";
      assertThat(rows(batched, summaries)).as("seed %d", seed)
          .isEqualTo(rows(oneByOne, summaries)).hasSize(60);
      assertThat(rows(batched, counts)).as("seed %d", seed).isEqualTo(rows(oneByOne, counts))
          .isNotEmpty();
    }
  }

  /** Each execution's own events in order, the executions' events shuffled together. */
  private static List<SummaryUpdates.Change> interleaved(Random random, int executions) {
    List<List<SummaryUpdates.Change>> lives = new ArrayList<>();
    for (int i = 0; i < executions; i++) {
      String id = "e-" + i;
      String retryOf = i > 0 && random.nextInt(5) == 0 ? "e-" + random.nextInt(i) : null;
      List<Event> events = life(random, id, retryOf, Instant.ofEpochSecond(1_700_000_000L + i));
      List<SummaryUpdates.Change> changes = new ArrayList<>();
      for (int s = 0; s < events.size(); s++) {
        changes.add(new SummaryUpdates.Change(id, s + 1, events.get(s)));
      }
      lives.add(changes);
    }
    List<SummaryUpdates.Change> all = new ArrayList<>();
    int[] next = new int[executions];
    // executions join the mix one by one; a retry may even come before what it retries
    int open = 0;
    while (all.size() < lives.stream().mapToInt(List::size).sum()) {
      if (open < executions && (open == 0 || random.nextInt(3) == 0)) {
        open++;
      }
      int pick = random.nextInt(open);
      if (next[pick] < lives.get(pick).size()) {
        all.add(lives.get(pick).get(next[pick]++));
      }
    }
    return all;
  }

  private static List<Event> life(Random random, String id, String retryOf, Instant t) {
    List<Event> events = new ArrayList<>();
    events.add(new ExecutionEntity.ExecutionCreated(id, "job-" + random.nextInt(3), TWO_STEPS,
        random.nextBoolean() ? null : t.plusSeconds(60), "tester", retryOf, t));
    if (random.nextInt(6) == 0) {
      return events; // still pending
    }
    events.add(new ExecutionEntity.ExecutionStarted(t.plusSeconds(1)));
    events.add(new ExecutionEntity.StepStarted(0, 1, "a", t.plusSeconds(2)));
    events.add(new ExecutionEntity.StepSucceeded(0, 1, 0, "out", t.plusSeconds(3)));
    switch (random.nextInt(5)) {
      case 0 -> events.add(new ExecutionEntity.StepStarted(1, 1, "b", t.plusSeconds(4)));
      case 1 -> {
        events.add(new ExecutionEntity.StepStarted(1, 1, "b", t.plusSeconds(4)));
        events.add(new ExecutionEntity.StepSucceeded(1, 1, 0, "out", t.plusSeconds(5)));
        events.add(new ExecutionEntity.ExecutionSucceeded(t.plusSeconds(6)));
      }
      case 2 -> {
        events.add(new ExecutionEntity.StepStarted(1, 1, "b", t.plusSeconds(4)));
        events.add(new ExecutionEntity.ExecutionFailed("step b failed", t.plusSeconds(5)));
      }
      case 3 -> {
        events.add(new ExecutionEntity.StopRequested(StopMode.graceful, "drain", "ops",
            t.plusSeconds(60), t.plusSeconds(4)));
        events.add(new ExecutionEntity.StopEscalated("grace ran out", "ops", t.plusSeconds(5)));
        events.add(new ExecutionEntity.ExecutionCancelled(t.plusSeconds(6)));
      }
      default -> events.add(new ExecutionEntity.StopRequested(StopMode.force, "now", "ops", null,
          t.plusSeconds(4)));
    }
    return events;
  }

  private DatabaseSettings database(String dialect, String name) {
    DatabaseSettings db;
    if (dialect.equals("h2")) {
      db = new DatabaseSettings("jdbc:h2:file:" + dir.resolve(name), "sa", "", 2);
    } else {
      TestDatabase.Credentials pg = TestDatabase.fresh();
      db = new DatabaseSettings(pg.url(), pg.user(), pg.password(), 2);
    }
    SchemaMigrations.migrate(db);
    return db;
  }

  private static Connection connect(DatabaseSettings db) throws Exception {
    return DriverManager.getConnection(db.url(), db.user(), db.password());
  }

  private static List<List<String>> rows(DatabaseSettings db, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection c = connect(db); Statement s = c.createStatement();
         ResultSet r = s.executeQuery(sql)) {
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(r.getMetaData().getColumnLabel(i) + "=" + r.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /**
   * The oracle: each event applied on its own, as the projection did before it folded batches.
   * Written apart from {@link SummaryUpdates} on purpose, so that the fold is checked against an
   * independent reading of the events.
   */
  private static final class EventByEvent {

    static void apply(Connection c, String executionId, long seq, Event event) throws SQLException {
      if (event instanceof ExecutionEntity.ExecutionCreated e) {
        Sql.update(c, "INSERT INTO execution_summary (execution_id, job, status, step_count, created_by,"
                + " created_at, start_at, retry_of, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            executionId, e.job(), Status.Pending.name(), e.definition().steps().size(),
            SummaryUpdates.clip(e.createdBy(), 200), SummaryUpdates.time(e.at()), SummaryUpdates.time(e.startAt()), e.retryOf(), seq);
        if (e.retryOf() != null) {
          Sql.update(c, "UPDATE execution_summary SET retried_by = ? WHERE execution_id = ?",
              executionId, e.retryOf());
        }
      } else if (event instanceof ExecutionEntity.ExecutionStarted e) {
        set(c, executionId, seq, "status = ?, started_at = ?", Status.Running.name(), SummaryUpdates.time(e.at()));
      } else if (event instanceof ExecutionEntity.StepStarted e) {
        set(c, executionId, seq, "current_step = ?", e.step());
      } else if (event instanceof ExecutionEntity.StopRequested e) {
        set(c, executionId, seq,
            "status = ?, cancel_mode = ?, cancel_reason = ?, cancel_by = ?, cancel_at = ?",
            Status.Cancelling.name(), e.mode().name(), SummaryUpdates.clip(e.reason(), 1000),
            SummaryUpdates.clip(e.requestedBy(), 200), SummaryUpdates.time(e.at()));
      } else if (event instanceof ExecutionEntity.StopEscalated e) {
        set(c, executionId, seq, "cancel_mode = ?", StopMode.escalated.name());
      } else if (event instanceof ExecutionEntity.Terminal e) {
        set(c, executionId, seq, "status = ?, completed_at = ?, error = ?, current_step = NULL",
            e.status().name(), SummaryUpdates.time(e.at()), SummaryUpdates.clip(e.error(), 2000));
        SummaryUpdates.count(c, executionId, e.status());
      } else {
        set(c, executionId, seq, "");
      }
    }

    private static void set(Connection c, String executionId, long seq, String assignments,
        Object... values) throws SQLException {
      Object[] all = new Object[values.length + 2];
      System.arraycopy(values, 0, all, 0, values.length);
      all[values.length] = seq;
      all[values.length + 1] = executionId;
      Sql.update(c, "UPDATE execution_summary SET "
          + (assignments.isEmpty() ? "" : assignments + ", ") + "last_seq = ?"
          + " WHERE execution_id = ?", all);
    }
  }
}
