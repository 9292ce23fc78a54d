package dev.stepwise.persistence.readside;

import dev.stepwise.engine.execution.ExecutionEntity;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Queries over the read side. Never wakes an execution; eventually consistent, behind the journal
 * by the projection's lag (its poll interval plus one batch window, well under a second when idle).
 * Pages are newest first and use keyset cursors, so rows inserted meanwhile neither shift nor
 * repeat the pages a client has yet to read.
 */
public final class ExecutionSummaries {

  /** A page of summaries and the cursor of the next one (null on the last page). */
  public record Page(List<ExecutionSummary> items, String nextCursor) {}

  public static final int MAX_LIMIT = 500;

  private static final String COLUMNS = "execution_id, job, status, current_step, step_count,"
      + " created_by, created_at, start_at, started_at, completed_at, cancel_mode, cancel_reason,"
      + " cancel_by, cancel_at, error, retry_of, retried_by";

  private final DataSource dataSource;
  private final Executor blocking;

  public ExecutionSummaries(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  /**
   * @param status null for any
   * @param job null for any
   * @param cursor null for the first page; else a value returned as {@code nextCursor}
   * @throws IllegalArgumentException for a cursor this class did not make
   */
  public CompletionStage<Page> list(String status, String job, int limit, String cursor) {
    Cursor after = cursor == null ? null : Cursor.decode(cursor);
    int size = Math.max(1, Math.min(limit, MAX_LIMIT));
    return read("read side query", c -> query(c, status, job, size, after));
  }

  /**
   * The journal offset of the newest event (0 for an empty journal): an event stream that starts
   * after it starts "now" instead of replaying the whole journal. Read from the journal itself,
   * not the summaries, so it is not behind by the projection's lag.
   */
  public CompletionStage<Long> latestJournalOffset() {
    return read("journal offset query", c -> Sql.first(c,
        "SELECT max(\"ordering\") FROM \"event_journal\"", rows -> rows.getLong(1)).orElse(0L));
  }

  /** Ids of every execution of {@code job} that has not ended, as far as the read side knows. */
  public CompletionStage<List<String>> unfinishedOf(String job) {
    return read("read side query", c -> Sql.list(c, "SELECT execution_id FROM execution_summary"
        + " WHERE job = ? AND status IN ('Pending', 'Running', 'Cancelling')",
        rows -> rows.getString(1), job));
  }

  /** How far the summaries are behind the journal; see {@link #lag()}. */
  public record Lag(long events, Duration oldestUnread) {}

  /** Counting the events behind stops here, so that a far-behind projection is cheap to watch. */
  public static final long MAX_COUNTED_LAG = 100_000;

  /** How many executions are in each of {@code statuses}, cluster-wide; absent ones count 0. */
  public CompletionStage<Map<String, Long>> countByStatus(Collection<String> statuses) {
    return read("read side query", c -> {
      String marks = String.join(", ", Collections.nCopies(statuses.size(), "?"));
      Map<String, Long> counts = new HashMap<>();
      statuses.forEach(status -> counts.put(status, 0L));
      Sql.list(c, "SELECT status, COUNT(*) FROM execution_summary WHERE status IN (" + marks
          + ") GROUP BY status", rows -> Map.entry(rows.getString(1), rows.getLong(2)),
          statuses.toArray()).forEach(count -> counts.put(count.getKey(), count.getValue()));
      return counts;
    });
  }

  /**
   * The executions' events that the journal holds and the summaries do not reflect yet: how many
   * (counted up to {@link #MAX_COUNTED_LAG}) and how long ago the oldest of them was written.
   * Both are zero when the summaries are current, however long the node has been idle.
   */
  public CompletionStage<Lag> lag() {
    return read("read side query", c -> {
      long offset = projectedOffset(c);
      long behind = Sql.first(c, "SELECT COUNT(*) FROM (SELECT 1 FROM"
          + " \"event_tag\" WHERE \"tag\" = ? AND \"event_id\" > ? LIMIT "
          + MAX_COUNTED_LAG + ") behind", rows -> rows.getLong(1),
          ExecutionEntity.TAG, offset).orElse(0L);
      Duration oldest = Duration.ZERO;
      if (behind > 0) {
        long written = Sql.first(c, "SELECT j.\"write_timestamp\""
            + " FROM \"event_tag\" t JOIN \"event_journal\" j"
            + " ON j.\"ordering\" = t.\"event_id\" WHERE t.\"tag\" = ? AND t.\"event_id\" > ? ORDER BY t.\"event_id\" LIMIT 1",
            rows -> rows.getLong(1), ExecutionEntity.TAG, offset).orElse(0L);
        oldest = written <= 0 ? Duration.ZERO
            : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - written));
      }
      return new Lag(behind, oldest);
    });
  }

  /** The journal ordering of the last event the summary projection applied; 0 before any. */
  private static long projectedOffset(Connection c) throws SQLException {
    return Sql.first(c, "SELECT \"current_offset\" FROM"
        + " \"pekko_projection_offset_store\" WHERE \"projection_name\" = ?"
        + " AND \"projection_key\" = ?", rows -> Long.parseLong(rows.getString(1).strip()),
        ExecutionSummaryProjection.ID.name(), ExecutionSummaryProjection.ID.key()).orElse(0L);
  }

  private Page query(Connection c, String status, String job, int size, Cursor after)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM execution_summary WHERE 1=1");
    List<Object> values = new ArrayList<>();
    if (status != null) {
      sql.append(" AND status = ?");
      values.add(status);
    }
    if (job != null) {
      sql.append(" AND job = ?");
      values.add(job);
    }
    if (after != null) {
      sql.append(" AND (created_at < ? OR (created_at = ? AND execution_id < ?))");
      values.add(after.createdAt());
      values.add(after.createdAt());
      values.add(after.id());
    }
    sql.append(" ORDER BY created_at DESC, execution_id DESC LIMIT ?");
    values.add(size + 1);
    List<OffsetDateTime> created = new ArrayList<>();
    List<ExecutionSummary> items = Sql.list(c, sql.toString(), rows -> {
      ExecutionSummary summary = summary(rows);
      created.add(rows.getObject("created_at", OffsetDateTime.class));
      return summary;
    }, values.toArray());
    if (items.size() <= size) {
      return new Page(items, null);
    }
    items.remove(size);
    ExecutionSummary last = items.get(size - 1);
    return new Page(items, new Cursor(created.get(size - 1), last.id()).encode());
  }

  /** Runs {@code work} on the blocking dispatcher in a transaction of its own, then commits. */
  private <T> CompletionStage<T> read(String what, Transaction<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = dataSource.getConnection()) {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
      }
    }, blocking);
  }

  @FunctionalInterface
  private interface Transaction<T> {
    T apply(Connection c) throws SQLException;
  }

  private static ExecutionSummary summary(ResultSet r) throws SQLException {
    String mode = r.getString("cancel_mode");
    return new ExecutionSummary(r.getString("execution_id"), r.getString("job"),
        r.getString("status"), r.getString("current_step"), r.getInt("step_count"),
        r.getString("created_by"), instant(r, "created_at"), instant(r, "start_at"),
        instant(r, "started_at"), instant(r, "completed_at"),
        mode == null ? null : new ExecutionSummary.Cancellation(mode, r.getString("cancel_reason"),
            r.getString("cancel_by"), instant(r, "cancel_at")),
        r.getString("error"), r.getString("retry_of"), r.getString("retried_by"));
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    OffsetDateTime value = r.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** Where the previous page ended: the (created_at, id) of its last row, opaque to clients. */
  private record Cursor(OffsetDateTime createdAt, String id) {
    String encode() {
      String raw = createdAt.toInstant() + "|" + id;
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      try {
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int bar = raw.indexOf('|');
        return new Cursor(Instant.parse(raw.substring(0, bar)).atOffset(
            java.time.ZoneOffset.UTC), raw.substring(bar + 1));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cursor: not a cursor this server handed out");
      }
    }
  }
}
