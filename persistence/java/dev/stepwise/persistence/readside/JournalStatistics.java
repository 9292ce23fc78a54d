package dev.stepwise.persistence.readside;

import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's planner statistics of the journal's tables fresh while the journal is young.
 * Autovacuum analyzes a table once a tenth of it changed, and looks at most once a minute, so a
 * new journal under load is queried for a minute or more without statistics. The live event
 * queries (the event stream, the summary projection) then join each event to a full scan of the
 * tag table: the benchmark measured 0.5 to 8 s per query instead of milliseconds, with the
 * database's CPU spent on them. Every few seconds this analyzes each journal table whose rows grew
 * by half since it was last analyzed; past a million rows autovacuum keeps up on its own.
 */
public final class JournalStatistics {

  private static final Logger LOG = LoggerFactory.getLogger(JournalStatistics.class);

  static final Duration INTERVAL = Duration.ofSeconds(5);
  /** Below this many changed rows a table is cheap to query however it is planned. */
  static final long MIN_CHANGED = 1_000;
  /** Past this size autovacuum's own thresholds come often enough. */
  static final long GROWN_UP = 1_000_000;

  private static final String STALE = "SELECT s.relname FROM pg_stat_user_tables s"
      + " JOIN pg_class c ON c.oid = s.relid"
      + " WHERE s.relname IN ('event_journal', 'event_tag') AND s.schemaname = current_schema()"
      + " AND s.n_live_tup < " + GROWN_UP + " AND s.n_mod_since_analyze >= " + MIN_CHANGED
      + " AND s.n_mod_since_analyze >= c.reltuples / 2";

  private final DataSource dataSource;
  /** Set while refreshing fails, so that an outage is logged once, not every few seconds. */
  private volatile boolean failing;

  JournalStatistics(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** On PostgreSQL, schedules the check on this node; returns what cancels it. */
  static Optional<Cancellable> schedule(ActorSystem<?> system, DataSource dataSource) {
    if (DatabaseSettings.from(system.settings().config()).dialect() != Dialect.POSTGRES) {
      return Optional.empty();
    }
    JournalStatistics statistics = new JournalStatistics(dataSource);
    var blocking = system.dispatchers().lookup(
        DispatcherSelector.fromConfig("stepwise.read-side.dispatcher"));
    return Optional.of(system.scheduler().scheduleWithFixedDelay(INTERVAL, INTERVAL,
        statistics::refreshQuietly, blocking));
  }

  private void refreshQuietly() {
    try {
      refresh();
      failing = false;
    } catch (SQLException | RuntimeException e) {
      if (!failing) {
        LOG.warn("could not refresh the journal's planner statistics (will keep trying): {}",
            e.getMessage());
      }
      failing = true;
    }
  }

  /** Analyzes the journal tables that grew enough since their last analysis; returns them. */
  List<String> refresh() throws SQLException {
    List<String> analyzed = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      List<String> stale = Sql.list(c, STALE, rows -> rows.getString(1));
      try (Statement s = c.createStatement()) {
        for (String table : stale) {
          s.execute("ANALYZE " + table);
          analyzed.add(table);
        }
      }
      c.commit();
    }
    return analyzed;
  }
}
