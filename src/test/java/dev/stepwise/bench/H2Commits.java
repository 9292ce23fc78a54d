package dev.stepwise.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * What crash safety costs the default database: one-row commits per second of journal-sized rows
 * into an H2 file, two writers (the journal's parallelism), with {@code WRITE_DELAY=0} as the
 * node now opens it (each commit written to the file before it returns) and with H2's default
 * 500 ms delay as it did before (commits written in the background, lost on {@code kill -9}).
 */
final class H2Commits {

  private static final int WRITERS = 2;
  private static final int PAYLOAD_BYTES = 300;

  private H2Commits() {}

  /** Commits per second with the given {@code WRITE_DELAY}, in a fresh file. */
  static double measure(int writeDelayMillis, Duration window) throws Exception {
    Path folder = Files.createTempDirectory("stepwise-bench-h2");
    String url = "jdbc:h2:file:" + folder.resolve("journal") + ";DB_CLOSE_ON_EXIT=FALSE"
        + ";WRITE_DELAY=" + writeDelayMillis;
    try (Connection keepOpen = DriverManager.getConnection(url, "sa", "");
         Statement create = keepOpen.createStatement()) {
      create.execute("CREATE TABLE journal (ordering BIGINT AUTO_INCREMENT PRIMARY KEY,"
          + " persistence_id VARCHAR(255), sequence_number BIGINT, payload VARBINARY(1000))");
      AtomicLong commits = new AtomicLong();
      List<Thread> writers = new ArrayList<>();
      List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      long deadline = System.nanoTime() + window.toNanos();
      long began = System.nanoTime();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Thread thread = new Thread(() -> {
          try {
            write(url, writer, deadline, commits);
          } catch (SQLException e) {
            failures.add(e);
          }
        }, "bench-h2-" + w);
        writers.add(thread);
        thread.start();
      }
      for (Thread thread : writers) {
        thread.join();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("H2 commits failed", failures.get(0));
      }
      return commits.get() / ((System.nanoTime() - began) / 1e9);
    } finally {
      try (Stream<Path> files = Files.walk(folder)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private static void write(String url, int writer, long deadline, AtomicLong commits)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
         PreparedStatement insert = c.prepareStatement("INSERT INTO journal"
             + " (persistence_id, sequence_number, payload) VALUES (?, ?, ?)")) {
      c.setAutoCommit(false);
      byte[] payload = new byte[PAYLOAD_BYTES];
      for (long seq = 1; System.nanoTime() < deadline; seq++) {
        insert.setString(1, "Execution|writer-" + writer + "-" + (seq % 1000));
        insert.setLong(2, seq);
        insert.setBytes(3, payload);
        insert.executeUpdate();
        c.commit();
        commits.incrementAndGet();
      }
    }
  }
}
