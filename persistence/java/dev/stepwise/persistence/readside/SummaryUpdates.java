package dev.stepwise.persistence.readside;

import dev.stepwise.engine.execution.EventVisitor;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each event changes in {@code execution_summary} and {@code job_outcome_count}. Called by
 * the projection inside the transaction that also stores its offset, so each event counts once.
 */
final class SummaryUpdates {

  /** One event of a batch, with the execution it belongs to. */
  record Change(String executionId, long seq, Event event) {}

  private SummaryUpdates() {}

  /**
   * Applies a batch: each execution's events folded, in order, into one insert or one update of
   * its summary (later events overwrite the columns earlier ones set, as applying them one by one
   * would), then its outcome counted; executions in the order they first appear in the batch. The
   * rows end as applying the events one by one would leave them ({@code SummaryBatchesIT} checks
   * that), with a statement per execution instead of one per event.
   */
  static void applyAll(Connection c, List<Change> changes) throws SQLException {
    Map<String, Fold> folds = new LinkedHashMap<>();
    for (Change change : changes) {
      folds.computeIfAbsent(change.executionId(), Fold::new).add(change.seq(), change.event());
    }
    for (Fold fold : folds.values()) {
      fold.write(c);
    }
  }

  /** One execution's events of a batch, as the columns they set. */
  private static final class Fold implements EventVisitor<Void> {
    private final String executionId;
    private ExecutionEntity.ExecutionCreated created;
    private final Map<String, Object> columns = new LinkedHashMap<>();
    private final List<Status> outcomes = new ArrayList<>();
    private long lastSeq;

    Fold(String executionId) {
      this.executionId = executionId;
    }

    void add(long seq, Event event) {
      lastSeq = seq;
      event.accept(this);
    }

    @Override
    public Void executionCreated(ExecutionEntity.ExecutionCreated e) {
      created = e;
      columns.put("status", Status.Pending.name());
      return null;
    }

    @Override
    public Void executionStarted(ExecutionEntity.ExecutionStarted e) {
      columns.put("status", Status.Running.name());
      columns.put("started_at", time(e.at()));
      return null;
    }

    @Override
    public Void stepStarted(ExecutionEntity.StepStarted e) {
      columns.put("current_step", e.step());
      return null;
    }

    @Override
    public Void stepSucceeded(ExecutionEntity.StepSucceeded e) {
      return null; // the summary shows the current step, not how each attempt ended
    }

    @Override
    public Void stepFailed(ExecutionEntity.StepFailed e) {
      return null;
    }

    @Override
    public Void stepInterrupted(ExecutionEntity.StepInterrupted e) {
      return null;
    }

    @Override
    public Void retryScheduled(ExecutionEntity.RetryScheduled e) {
      return null;
    }

    @Override
    public Void stopRequested(ExecutionEntity.StopRequested e) {
      columns.put("status", Status.Cancelling.name());
      columns.put("cancel_mode", e.mode().name());
      columns.put("cancel_reason", clip(e.reason(), 1000));
      columns.put("cancel_by", clip(e.requestedBy(), 200));
      columns.put("cancel_at", time(e.at()));
      return null;
    }

    @Override
    public Void stopEscalated(ExecutionEntity.StopEscalated e) {
      columns.put("cancel_mode", StopMode.escalated.name());
      return null;
    }

    @Override
    public Void executionEnded(ExecutionEntity.Terminal e) {
      columns.put("status", e.status().name());
      columns.put("completed_at", time(e.at()));
      columns.put("error", clip(e.error(), 2000));
      columns.put("current_step", null);
      outcomes.add(e.status());
      return null;
    }

    void write(Connection c) throws SQLException {
      columns.put("last_seq", lastSeq);
      if (created != null) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("execution_id", executionId);
        row.put("job", created.job());
        row.put("step_count", created.definition().steps().size());
        row.put("created_by", clip(created.createdBy(), 200));
        row.put("created_at", time(created.at()));
        row.put("start_at", time(created.startAt()));
        row.put("retry_of", created.retryOf());
        row.putAll(columns);
        Sql.update(c, "INSERT INTO execution_summary (" + String.join(", ", row.keySet())
            + ") VALUES (" + String.join(", ", Collections.nCopies(row.size(), "?")) + ")",
            row.values().toArray());
        if (created.retryOf() != null) {
          Sql.update(c, "UPDATE execution_summary SET retried_by = ? WHERE execution_id = ?",
              executionId, created.retryOf());
        }
      } else {
        List<Object> values = new ArrayList<>(columns.values());
        values.add(executionId);
        Sql.update(c, "UPDATE execution_summary SET " + String.join(" = ?, ", columns.keySet())
            + " = ? WHERE execution_id = ?", values.toArray());
      }
      for (Status outcome : outcomes) {
        count(c, executionId, outcome);
      }
    }
  }

  static void count(Connection c, String executionId, Status status) throws SQLException {
    int updated = Sql.update(c, "UPDATE job_outcome_count SET executions = executions + 1"
        + " WHERE status = ? AND job = (SELECT job FROM execution_summary WHERE execution_id = ?)",
        status.name(), executionId);
    if (updated == 0) {
      Sql.update(c, "INSERT INTO job_outcome_count (job, status, executions)"
          + " SELECT job, ?, 1 FROM execution_summary WHERE execution_id = ?",
          status.name(), executionId);
    }
  }

  static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  /**
   * At most {@code max} characters that PostgreSQL accepts as text: it refuses NUL and malformed
   * UTF-16 (a lone surrogate), and a refused row would stop the projection for good.
   */
  static String clip(String s, int max) {
    if (s == null) {
      return null;
    }
    // clipped first, since a cut may fall between the two halves of a surrogate pair
    String clipped = s.length() <= max ? s : s.substring(0, max);
    return new String(clipped.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
        .replace('\u0000', '\uFFFD');
  }
}
