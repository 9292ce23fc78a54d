package dev.stepwise.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw ceiling of the journal's database: rows shaped like the journal's (same tables, built by
 * the same DDL, in a database of their own on the same server), written the way
 * pekko-persistence-jdbc 1.1 writes a batch of tagged events: one transaction that inserts the
 * events one statement each, returning their orderings (Slick's inserts that return keys never
 * use JDBC batches), then their tag rows in one JDBC batch; {@code writers} such transactions at
 * once, as its {@code parallelism} allows. No engine, no actors: what the disk and PostgreSQL
 * allow. The {@link Shape#BATCHED} shape sends the events as one JDBC batch instead, to show what
 * a journal that batched them could reach.
 */
final class JournalCeiling {

  /** How a batch's events are sent. */
  enum Shape {
    /** One INSERT ... RETURNING round trip per event, as pekko-persistence-jdbc does. */
    PER_ROW,
    /** The events as one JDBC batch. */
    BATCHED
  }

  /** One measured shape of writes. */
  record Result(int batchSize, int writers, double rowsPerSecond, double transactionsPerSecond) {}

  static final String DATABASE = "journal_ceiling";
  private static final String INSERT = "INSERT INTO event_journal (deleted, persistence_id,"
      + " sequence_number, writer, write_timestamp, adapter_manifest, event_payload, event_ser_id,"
      + " event_ser_manifest, meta_payload, meta_ser_id, meta_ser_manifest)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String TAG = "INSERT INTO event_tag (event_id, tag) VALUES (?, ?)";
  /** What the jackson-cbor serializer's events are journaled as. */
  private static final int SERIALIZER_ID = 33;
  private static final String MANIFEST =
      "dev.stepwise.engine.execution.ExecutionEntity$StepSucceeded";
  private static final int ENTITIES = 1_000;

  private final DurablePostgres postgres;

  private JournalCeiling(DurablePostgres postgres) {
    this.postgres = postgres;
  }

  /** Creates the ceiling's database with the journal's own DDL. */
  static JournalCeiling create(DurablePostgres postgres) {
    postgres.createDatabase(DATABASE);
    String ddl;
    try (InputStream in = JournalCeiling.class.getClassLoader()
        .getResourceAsStream("db/postgres/V1__journal.sql")) {
      ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the journal DDL is not on the classpath", e);
    }
    try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
      s.execute(ddl);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the ceiling's journal tables", e);
    }
    return new JournalCeiling(postgres);
  }

  /** Writes batches of {@code batchSize} events of {@code eventBytes} each for {@code window}. */
  Result measure(Shape shape, int batchSize, int writers, int eventBytes, Duration window)
      throws InterruptedException {
    AtomicLong rows = new AtomicLong();
    AtomicLong transactions = new AtomicLong();
    long deadline = System.nanoTime() + window.toNanos();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    long began = System.nanoTime();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        try {
          write(shape, writer, batchSize, eventBytes, deadline, rows, transactions);
        } catch (SQLException | RuntimeException e) {
          failures.add(e);
        }
      }, "bench-ceiling-" + w);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("ceiling writes failed", failures.get(0));
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    truncate();
    return new Result(batchSize, writers, rows.get() / seconds, transactions.get() / seconds);
  }

  private void write(Shape shape, int writer, int batchSize, int eventBytes, long deadline,
      AtomicLong rows, AtomicLong transactions) throws SQLException {
    Random random = new Random(writer);
    String writerId = UUID.randomUUID().toString();
    String[] ids = new String[ENTITIES];
    long[] sequence = new long[ENTITIES];
    for (int i = 0; i < ENTITIES; i++) {
      ids[i] = "Execution|" + UUID.randomUUID();
    }
    byte[] payload = new byte[eventBytes];
    try (Connection c = postgres.connect(DATABASE)) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement(INSERT, new String[] {"ordering"});
           PreparedStatement tag = c.prepareStatement(TAG)) {
        int next = 0;
        while (System.nanoTime() < deadline) {
          for (int i = 0; i < batchSize; i++) {
            int entity = next++ % ENTITIES;
            random.nextBytes(payload);
            insert.setBoolean(1, false);
            insert.setString(2, ids[entity]);
            insert.setLong(3, ++sequence[entity]);
            insert.setString(4, writerId);
            insert.setLong(5, System.currentTimeMillis());
            insert.setString(6, "");
            insert.setBytes(7, payload);
            insert.setInt(8, SERIALIZER_ID);
            insert.setString(9, MANIFEST);
            insert.setNull(10, java.sql.Types.BINARY);
            insert.setNull(11, java.sql.Types.INTEGER);
            insert.setNull(12, java.sql.Types.VARCHAR);
            if (shape == Shape.PER_ROW) {
              insert.executeUpdate();
              tagKeys(insert, tag);
            } else {
              insert.addBatch();
            }
          }
          if (shape == Shape.BATCHED) {
            insert.executeBatch();
            tagKeys(insert, tag);
          }
          tag.executeBatch();
          c.commit();
          rows.addAndGet(batchSize);
          transactions.incrementAndGet();
        }
      }
    }
  }

  /** Adds a tag row for each ordering the last insert returned. */
  private static void tagKeys(PreparedStatement insert, PreparedStatement tag)
      throws SQLException {
    try (ResultSet keys = insert.getGeneratedKeys()) {
      while (keys.next()) {
        tag.setLong(1, keys.getLong(1));
        tag.setString(2, "execution");
        tag.addBatch();
      }
    }
  }

  private void truncate() {
    try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
      s.execute("TRUNCATE event_tag, event_journal");
    } catch (SQLException e) {
      throw new IllegalStateException("could not empty the ceiling's tables", e);
    }
  }
}
