package dev.stepwise.persistence.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.http.NodeConfig;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import dev.stepwise.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.TestProbe;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The batching journal DAO keeps the plugin's semantics, on both databases, through the journal
 * plugin's own protocol: an atomic write's events are stored in sequence order under increasing
 * orderings with their tags, read back by the plugin's queries, and a batch with one bad write
 * stores nothing.
 */
class BatchingJournalDaoIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void atomicWritesAreStoredInSequenceOrderWithTheirTags(String dialect) throws Exception {
    DatabaseSettings db = database(dialect);
    ActorSystem system = start(db);
    try {
      assertThat(system.settings().config().getString("jdbc-journal.dao"))
          .isEqualTo(BatchingJournalDao.class.getName());
      String a = "Test|" + UUID.randomUUID();
      String b = "Test|" + UUID.randomUUID();
      List<PersistentEnvelope> writes = List.of(
          atomic(event(a, 1, "a1", Set.of("execution", "job-x")),
              event(a, 2, "a2", Set.of("execution")), event(a, 3, "a3", Set.of())),
          atomic(event(b, 1, "b1", Set.of("execution", "job-y")),
              event(b, 2, "b2", Set.of("execution", "job-x"))));

      assertThat(write(system, writes)).isEqualTo(5);

      List<String[]> rows = rows(db, "SELECT \"persistence_id\", \"sequence_number\","
          + " \"ordering\" FROM \"event_journal\" ORDER BY \"ordering\"");
      // one batch, inserted sorted by sequence number (stably), as the plugin inserts it
      assertThat(rows).extracting(r -> r[0].equals(a) ? "a" + r[1] : "b" + r[1])
          .containsExactly("a1", "b1", "a2", "b2", "a3");
      Map<String, List<String>> tags = new HashMap<>();
      for (String[] tag : rows(db, "SELECT j.\"persistence_id\", j.\"sequence_number\","
          + " t.\"tag\" FROM \"event_tag\" t JOIN \"event_journal\" j"
          + " ON j.\"ordering\" = t.\"event_id\" ORDER BY t.\"tag\"")) {
        tags.computeIfAbsent((tag[0].equals(a) ? "a" : "b") + tag[1], k -> new ArrayList<>())
            .add(tag[2]);
      }
      assertThat(tags).containsOnly(
          Map.entry("a1", List.of("execution", "job-x")), Map.entry("a2", List.of("execution")),
          Map.entry("b1", List.of("execution", "job-y")),
          Map.entry("b2", List.of("execution", "job-x")));

      JdbcReadJournal query = PersistenceQuery.get(system)
          .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
      List<EventEnvelope> jobX = query.currentEventsByTag("job-x", Offset.noOffset())
          .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(jobX).extracting(EventEnvelope::event).containsExactly("a1", "b2");
      List<EventEnvelope> replayed = query.currentEventsByPersistenceId(a, 0, Long.MAX_VALUE)
          .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(replayed).extracting(EventEnvelope::event).containsExactly("a1", "a2", "a3");
    } finally {
      stop(system);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void aBatchWithOneFailingWriteStoresNothing(String dialect) throws Exception {
    DatabaseSettings db = database(dialect);
    ActorSystem system = start(db);
    try {
      String taken = "Test|" + UUID.randomUUID();
      assertThat(write(system, List.of(atomic(event(taken, 1, "first", Set.of("execution"))))))
          .isEqualTo(1);
      String fresh = "Test|" + UUID.randomUUID();

      // the second atomic write repeats a stored sequence number: the database refuses it
      int stored = write(system, List.of(
          atomic(event(fresh, 1, "f1", Set.of("execution")),
              event(fresh, 2, "f2", Set.of("execution"))),
          atomic(event(taken, 1, "again", Set.of("execution")))));

      assertThat(stored).isZero();
      assertThat(rows(db, "SELECT \"persistence_id\" FROM \"event_journal\""))
          .extracting(r -> r[0]).containsExactly(taken);
      assertThat(rows(db, "SELECT \"tag\" FROM \"event_tag\"")).hasSize(1);
    } finally {
      stop(system);
    }
  }

  private DatabaseSettings database(String dialect) {
    if (dialect.equals("h2")) {
      return new DatabaseSettings("jdbc:h2:file:" + dir.resolve("journal"), "sa", "", 4);
    }
    TestDatabase.Credentials pg = TestDatabase.fresh();
    return new DatabaseSettings(pg.url(), pg.user(), pg.password(), 4);
  }

  private static ActorSystem start(DatabaseSettings db) {
    SchemaMigrations.migrate(db);
    Config config = NodeConfig.load(ConfigFactory.parseMap(Map.of(
        "stepwise.database.url", db.url(),
        "stepwise.database.user", db.user(),
        "stepwise.database.password", db.password(),
        "pekko.remote.artery.canonical.port", 0)), Map.of());
    return ActorSystem.create("journal-test", config);
  }

  private static void stop(ActorSystem system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static PersistentRepr event(String persistenceId, long sequenceNr, String payload,
      Set<String> tags) {
    Object tagged = tags.isEmpty() ? payload : new Tagged(payload, tags);
    return PersistentRepr.apply(tagged, sequenceNr, persistenceId, "", false, ActorRef.noSender(),
        "writer-1");
  }

  private static AtomicWrite atomic(PersistentRepr... events) {
    return new AtomicWrite(CollectionConverters.asScala(List.of(events)).toList());
  }

  /**
   * Sends one WriteMessages to the journal (one call: the DAO gets it as one batch) and returns
   * how many events it acknowledged as written; a failed batch acknowledges none.
   */
  private static int write(ActorSystem system, List<PersistentEnvelope> writes) {
    ActorRef journal = Persistence.get(system).journalFor("jdbc-journal",
        ConfigFactory.empty());
    TestProbe probe = new TestProbe(system);
    int events = writes.stream().mapToInt(w -> ((AtomicWrite) w).size()).sum();
    journal.tell(new JournalProtocol.WriteMessages(
        CollectionConverters.asScala(writes).toList(), probe.ref(), 1), probe.ref());
    Object outcome = probe.receiveOne(scala.concurrent.duration.Duration.fromNanos(
        WAIT.toNanos()));
    int written = 0;
    for (int i = 0; i < events; i++) {
      Object reply = probe.receiveOne(scala.concurrent.duration.Duration.fromNanos(
          WAIT.toNanos()));
      if (reply instanceof JournalProtocol.WriteMessageSuccess) {
        written++;
      }
    }
    assertThat(outcome).isNotNull();
    return outcome == JournalProtocol.WriteMessagesSuccessful$.MODULE$ ? written : 0;
  }

  private static List<String[]> rows(DatabaseSettings db, String sql) throws Exception {
    List<String[]> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        String[] row = new String[columns];
        for (int i = 0; i < columns; i++) {
          row[i] = r.getString(i + 1);
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
