package dev.stepwise.persistence.readside;

import com.typesafe.config.Config;
import dev.stepwise.engine.execution.ExecutionEntity;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the journal rows of executions that ended longer ago than {@code keep-for}, keeping
 * their summaries, their snapshot (taken when they ended) and their last event, so that they
 * still read, list and recover. Off by default: an audit trail is deleted here on purpose only.
 */
public final class JournalRetention {

  private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);

  /** What {@code stepwise.retention} says. */
  public record Settings(boolean enabled, Duration keepFor, Duration interval, int batch) {
    public static Settings from(Config config) {
      Config r = config.getConfig("stepwise.retention");
      return new Settings(r.getBoolean("enabled"), r.getDuration("keep-for"),
          r.getDuration("interval"), r.getInt("batch"));
    }
  }

  private final DataSource dataSource;
  private final Settings settings;

  JournalRetention(DataSource dataSource, Settings settings) {
    this.dataSource = dataSource;
    this.settings = settings;
  }

  /**
   * Schedules the pruning on this node when retention is enabled; pruning is idempotent, so every
   * node may run it. Returns what cancels it.
   */
  static Optional<Cancellable> schedule(ActorSystem<?> system, DataSource dataSource) {
    Settings settings = Settings.from(system.settings().config());
    if (!settings.enabled()) {
      return Optional.empty();
    }
    JournalRetention retention = new JournalRetention(dataSource, settings);
    var blocking = system.dispatchers().lookup(
        DispatcherSelector.fromConfig("stepwise.read-side.dispatcher"));
    return Optional.of(system.scheduler().scheduleWithFixedDelay(settings.interval(),
        settings.interval(), retention::pruneQuietly, blocking));
  }

  private void pruneQuietly() {
    try {
      int pruned = prune(Instant.now());
      if (pruned > 0) {
        LOG.info("retention pruned the journal of {} ended executions", pruned);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("retention could not prune the journal this time: {}", e.getMessage());
    }
  }

  /** Prunes one batch; returns how many executions it pruned. */
  int prune(Instant now) throws SQLException {
    int pruned = 0;
    try (Connection c = dataSource.getConnection()) {
      for (String id : due(c, now)) {
        String pid = ExecutionEntity.persistenceId(id).id();
        long snapshot = latestSnapshot(c, pid);
        if (snapshot == 0) {
          mark(c, id, now); // nothing safe to prune without a snapshot; look at it no more
          continue;
        }
        Sql.update(c, "DELETE FROM \"event_journal\""
            + " WHERE \"persistence_id\" = ? AND \"sequence_number\" < ?", pid, snapshot);
        mark(c, id, now);
        c.commit();
        pruned++;
      }
      c.commit();
    }
    return pruned;
  }

  private List<String> due(Connection c, Instant now) throws SQLException {
    return Sql.list(c, "SELECT execution_id FROM execution_summary"
        + " WHERE completed_at < ? AND journal_pruned_at IS NULL ORDER BY completed_at"
        + " LIMIT ?", rows -> rows.getString(1),
        SummaryUpdates.time(now.minus(settings.keepFor())), settings.batch());
  }

  private static long latestSnapshot(Connection c, String pid) throws SQLException {
    return Sql.first(c, "SELECT max(\"sequence_number\") FROM \"snapshot\""
        + " WHERE \"persistence_id\" = ?", rows -> rows.getLong(1), pid).orElse(0L);
  }

  private static void mark(Connection c, String id, Instant now) throws SQLException {
    Sql.update(c, "UPDATE execution_summary SET journal_pruned_at = ? WHERE execution_id = ?",
        SummaryUpdates.time(now), id);
  }
}
