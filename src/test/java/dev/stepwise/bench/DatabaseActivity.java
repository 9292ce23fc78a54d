package dev.stepwise.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A profile of the database side, for finding what bounds a phase: samples what the node's
 * connections are doing ({@code pg_stat_activity}: state, wait event, statement) every 20 ms, and
 * summarizes the samples as shares. On with {@code -Dbench.diagnose=true}.
 */
final class DatabaseActivity implements AutoCloseable {

  /** How much of each statement to show; {@code -Dbench.diagnose.chars} shows more. */
  private static final int CHARS = Integer.getInteger("bench.diagnose.chars", 70);
  private static final String SAMPLE = "SELECT state, coalesce(wait_event_type, '') || ':'"
      + " || coalesce(wait_event, ''), regexp_replace(left(query, " + CHARS + "), '\\s+', ' ', 'g')"
      + " FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()"
      + " AND backend_type = 'client backend'";

  private static final String TABLES = "SELECT s.relname, s.n_live_tup, c.reltuples,"
      + " s.n_mod_since_analyze, s.analyze_count, s.autoanalyze_count"
      + " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
      + " WHERE s.relname IN ('event_journal', 'event_tag')";

  private final DurablePostgres postgres;
  private final String database;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong samples = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  DatabaseActivity(DurablePostgres postgres, String database) {
    this.postgres = postgres;
    this.database = database;
    sampler = new Thread(() -> sample(postgres, database), "bench-db-activity");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void sample(DurablePostgres postgres, String database) {
    try (Connection c = postgres.connect(database);
         PreparedStatement s = c.prepareStatement(SAMPLE)) {
      s.setString(1, database);
      while (running) {
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            String state = r.getString(1);
            String key = "idle".equals(state) ? "idle" : state + " " + r.getString(2) + " "
                + r.getString(3);
            counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
          }
        }
        samples.incrementAndGet();
        Thread.sleep(20);
      }
    } catch (SQLException | InterruptedException e) {
      // a profile is best effort
    }
  }

  /** Average number of connections in each state, most first, and the journal's statistics. */
  String summary() {
    long n = Math.max(1, samples.get());
    return tables() + counts.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
        .limit(12)
        .map(e -> String.format("    %5.2f  %s", e.getValue().get() / (double) n, e.getKey()))
        .collect(Collectors.joining("\n", "  database connections, average over " + n
            + " samples:\n", ""));
  }

  private String tables() {
    StringBuilder out = new StringBuilder();
    try (Connection c = postgres.connect(database);
         PreparedStatement s = c.prepareStatement(TABLES);
         ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.append(String.format("  %s: %d live rows, planner thinks %.0f, %d changed since"
                + " analyzed, analyzed %d times (+%d by autovacuum)%n", r.getString(1),
            r.getLong(2), r.getDouble(3), r.getLong(4), r.getLong(5), r.getLong(6)));
      }
    } catch (SQLException e) {
      out.append("  (no table statistics: ").append(e.getMessage()).append(")\n");
    }
    return out.toString();
  }

  @Override
  public void close() {
    running = false;
  }
}
