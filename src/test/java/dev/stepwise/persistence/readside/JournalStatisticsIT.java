package dev.stepwise.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A young journal's tables are analyzed once they grew, and not before. */
class JournalStatisticsIT {

  @Test
  void analyzesTheJournalTablesOnceTheyGrewAndLeavesThemAloneUntilTheyGrowAgain()
      throws Exception {
    TestDatabase.Credentials db = TestDatabase.fresh();
    DatabaseSettings settings = new DatabaseSettings(db.url(), db.user(), db.password(), 2);
    SchemaMigrations.migrate(settings);
    try (var dataSource = ReadSideDataSource.create(settings, 1)) {
      JournalStatistics statistics = new JournalStatistics(dataSource);
      insertEvents(db, 1, 10);
      assertThat(statistics.refresh()).as("ten rows are not worth an analysis").isEmpty();

      insertEvents(db, 11, 3_000);
      // the server counts changed rows a moment after the inserting transaction ends
      List<String> analyzed = Eventually.await("both tables analyzed", Duration.ofSeconds(30),
          () -> refresh(statistics), tables -> tables.size() == 2);
      assertThat(analyzed).containsExactlyInAnyOrder("event_journal", "event_tag");
      assertThat(lastAnalyzed(db, "event_tag")).isTrue();
      assertThat(statistics.refresh()).as("nothing changed since").isEmpty();
    }
  }

  private static List<String> refresh(JournalStatistics statistics) {
    try {
      return statistics.refresh();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static void insertEvents(TestDatabase.Credentials db, int from, int to)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Statement s = c.createStatement()) {
      s.execute("INSERT INTO event_journal (persistence_id, sequence_number, writer,"
          + " write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload)"
          + " SELECT 'Execution|statistics', g, 'w', 0, '', 33, 'm', '\\x00'::bytea"
          + " FROM generate_series(" + from + ", " + to + ") g");
      s.execute("INSERT INTO event_tag SELECT ordering, 'execution' FROM event_journal"
          + " WHERE sequence_number BETWEEN " + from + " AND " + to);
    }
  }

  private static boolean lastAnalyzed(TestDatabase.Credentials db, String table)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
             + " WHERE relname = '" + table + "'")) {
      return r.next() && r.getBoolean(1);
    }
  }
}
