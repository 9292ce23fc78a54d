package dev.stepwise.bench;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import org.postgresql.PGConnection;

/**
 * Execution summaries written straight into the read side's table with COPY, for the list query
 * phases: the list query is what is measured there, not how the projection fills the table.
 * 20 jobs; mostly succeeded, some failed, dead-lettered, cancelled and running; two seconds apart.
 */
final class SummaryRows {

  static final int JOBS = 20;
  private static final String COPY = "COPY execution_summary (execution_id, job, status,"
      + " current_step, step_count, created_by, created_at, start_at, started_at, completed_at,"
      + " cancel_mode, cancel_reason, cancel_by, cancel_at, error, retry_of, retried_by, last_seq)"
      + " FROM STDIN WITH (FORMAT csv)";
  private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");
  private static final int CHUNK = 20_000;

  private SummaryRows() {}

  /** Adds rows number {@code from} (inclusive) to {@code to} (exclusive), then analyzes. */
  static void insert(Connection c, long from, long to, Progress progress)
      throws SQLException, IOException {
    var copy = c.unwrap(PGConnection.class).getCopyAPI();
    StringBuilder csv = new StringBuilder(CHUNK * 200);
    for (long n = from; n < to; n++) {
      row(csv, n);
      if ((n + 1 - from) % CHUNK == 0 || n + 1 == to) {
        copy.copyIn(COPY, new StringReader(csv.toString()));
        csv.setLength(0);
      }
      if ((n + 1) % 200_000 == 0) {
        progress.say("  %,d summaries in the table", n + 1);
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("ANALYZE execution_summary");
    }
  }

  private static void row(StringBuilder csv, long n) {
    int kind = (int) (((n * 2654435761L) >>> 7) % 100);
    String status = kind < 80 ? "Success" : kind < 85 ? "Failed" : kind < 88 ? "DeadLetter"
        : kind < 95 ? "Cancelled" : "Running";
    boolean ended = !status.equals("Running");
    Instant created = BASE.plusSeconds(2 * n);
    Instant completed = created.plusSeconds(3);
    boolean cancelled = status.equals("Cancelled");
    boolean failed = status.equals("Failed") || status.equals("DeadLetter");
    csv.append(new UUID(n * 0x9E3779B97F4A7C15L, ~n)).append(',')
        .append(job(n)).append(',')
        .append(status).append(',')
        .append(ended ? "" : "two").append(',')
        .append(3).append(',')
        .append("bench").append(',')
        .append(created).append(',')
        .append(',')
        .append(created).append(',')
        .append(ended ? completed.toString() : "").append(',')
        .append(cancelled ? "graceful" : "").append(',')
        .append(cancelled ? "benchmark" : "").append(',')
        .append(cancelled ? "bench" : "").append(',')
        .append(cancelled ? completed.toString() : "").append(',')
        .append(failed ? "step 'two' failed after 1 attempt" : "").append(',')
        .append(',')
        .append(',')
        .append(9).append('\n');
  }

  static String job(long n) {
    return "list-job-" + (n % JOBS);
  }
}
