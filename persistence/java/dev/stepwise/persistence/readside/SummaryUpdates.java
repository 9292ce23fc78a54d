package dev.stepwise.persistence.readside;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What each event changes in {@code execution_summary} and {@code job_outcome_count}. Called by
 * the projection inside the transaction that also stores its offset, so each event counts once.
 */
final class SummaryUpdates {

  private SummaryUpdates() {}

  static void apply(Connection c, String executionId, long seq, Event event) throws SQLException {
    if (event instanceof ExecutionEntity.ExecutionCreated e) {
      update(c, "INSERT INTO execution_summary (execution_id, job, status, step_count, created_by,"
              + " created_at, start_at, retry_of, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          executionId, e.job(), Status.Pending.name(), e.definition().steps().size(),
          clip(e.createdBy(), 200), time(e.at()), time(e.startAt()), e.retryOf(), seq);
      if (e.retryOf() != null) {
        update(c, "UPDATE execution_summary SET retried_by = ? WHERE execution_id = ?",
            executionId, e.retryOf());
      }
    } else if (event instanceof ExecutionEntity.ExecutionStarted e) {
      set(c, executionId, seq, "status = ?, started_at = ?", Status.Running.name(), time(e.at()));
    } else if (event instanceof ExecutionEntity.StepStarted e) {
      set(c, executionId, seq, "current_step = ?", e.step());
    } else if (event instanceof ExecutionEntity.StopRequested e) {
      set(c, executionId, seq,
          "status = ?, cancel_mode = ?, cancel_reason = ?, cancel_by = ?, cancel_at = ?",
          Status.Cancelling.name(), e.mode().name(), clip(e.reason(), 1000),
          clip(e.requestedBy(), 200), time(e.at()));
    } else if (event instanceof ExecutionEntity.StopEscalated e) {
      set(c, executionId, seq, "cancel_mode = ?", StopMode.escalated.name());
    } else if (event instanceof ExecutionEntity.Terminal e) {
      set(c, executionId, seq, "status = ?, completed_at = ?, error = ?, current_step = NULL",
          e.status().name(), time(e.at()), clip(e.error(), 2000));
      count(c, executionId, e.status());
    } else {
      set(c, executionId, seq, "");
    }
  }

  private static void count(Connection c, String executionId, Status status) throws SQLException {
    int updated = update(c, "UPDATE job_outcome_count SET executions = executions + 1"
        + " WHERE status = ? AND job = (SELECT job FROM execution_summary WHERE execution_id = ?)",
        status.name(), executionId);
    if (updated == 0) {
      update(c, "INSERT INTO job_outcome_count (job, status, executions)"
          + " SELECT job, ?, 1 FROM execution_summary WHERE execution_id = ?",
          status.name(), executionId);
    }
  }

  private static void set(Connection c, String executionId, long seq, String assignments,
      Object... values) throws SQLException {
    Object[] all = new Object[values.length + 2];
    System.arraycopy(values, 0, all, 0, values.length);
    all[values.length] = seq;
    all[values.length + 1] = executionId;
    update(c, "UPDATE execution_summary SET "
        + (assignments.isEmpty() ? "" : assignments + ", ") + "last_seq = ?"
        + " WHERE execution_id = ?", all);
  }

  private static int update(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      return statement.executeUpdate();
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
