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

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong samples = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  DatabaseActivity(DurablePostgres postgres, String database) {
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

  /** Average number of connections in each state, most first. */
  String summary() {
    long n = Math.max(1, samples.get());
    return counts.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
        .limit(12)
        .map(e -> String.format("    %5.2f  %s", e.getValue().get() / (double) n, e.getKey()))
        .collect(Collectors.joining("\n", "  database connections, average over " + n
            + " samples:\n", ""));
  }

  @Override
  public void close() {
    running = false;
  }
}
