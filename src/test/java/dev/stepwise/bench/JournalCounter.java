package dev.stepwise.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads the node's journal tables directly, for what the API does not show: how many rows were
 * written in a window, of which kind, and how big the events are.
 */
final class JournalCounter {

  /** Rows of the journal between two orderings: all of them, and those of executions. */
  record Rows(long all, long executionEvents, long snapshots) {}

  private final DurablePostgres postgres;
  private final String database;

  JournalCounter(DurablePostgres postgres, String database) {
    this.postgres = postgres;
    this.database = database;
  }

  /** Starts sampling what the node's database connections do. */
  DatabaseActivity activity() {
    return new DatabaseActivity(postgres, database);
  }

  long maxOrdering() {
    return single("SELECT coalesce(max(ordering), 0) FROM event_journal");
  }

  /**
   * Rows the read side has inserted or updated so far (execution summaries and outcome counts),
   * from PostgreSQL's statistics, which a backend reports within about a second.
   */
  long readSideWrites() {
    return single("SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables"
        + " WHERE relname IN ('execution_summary', 'job_outcome_count')");
  }

  long snapshots() {
    return single("SELECT count(*) FROM snapshot");
  }

  Rows between(long afterOrdering, long toOrdering, long snapshotsBefore) {
    try (Connection c = postgres.connect(database);
         PreparedStatement s = c.prepareStatement("SELECT count(*),"
             + " count(*) FILTER (WHERE persistence_id LIKE 'Execution|%')"
             + " FROM event_journal WHERE ordering > ? AND ordering <= ?")) {
      s.setLong(1, afterOrdering);
      s.setLong(2, toOrdering);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return new Rows(r.getLong(1), r.getLong(2), snapshots() - snapshotsBefore);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not count journal rows", e);
    }
  }

  /**
   * How long runs that ended in a window took inside the engine: from their first journal write
   * to their last, by the journal's own write timestamps. Percentiles 50 and 99, in ms.
   */
  double[] runTimes(long afterOrdering, long toOrdering) {
    try (Connection c = postgres.connect(database);
         PreparedStatement s = c.prepareStatement("SELECT"
             + " percentile_cont(0.5) WITHIN GROUP (ORDER BY took),"
             + " percentile_cont(0.99) WITHIN GROUP (ORDER BY took) FROM ("
             + " SELECT max(j.write_timestamp) - min(j.write_timestamp) AS took"
             + " FROM event_journal j JOIN (SELECT persistence_id FROM event_journal"
             + "   WHERE ordering > ? AND ordering <= ?"
             + "   AND event_ser_manifest LIKE '%$ExecutionSucceeded') ended"
             + " ON j.persistence_id = ended.persistence_id GROUP BY j.persistence_id) runs")) {
      s.setLong(1, afterOrdering);
      s.setLong(2, toOrdering);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return new double[] {r.getDouble(1), r.getDouble(2)};
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read run times", e);
    }
  }

  /** Average size of an execution event's payload, to give the raw ceiling's rows that size. */
  int averageEventBytes() {
    long bytes = single("SELECT coalesce(avg(octet_length(event_payload)), 0)::bigint"
        + " FROM (SELECT event_payload FROM event_journal WHERE persistence_id LIKE 'Execution|%'"
        + " ORDER BY ordering DESC LIMIT 10000) recent");
    return bytes > 0 ? (int) bytes : 200;
  }

  private long single(String sql) {
    try (Connection c = postgres.connect(database); Statement s = c.createStatement();
         ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }
}
