package dev.stepwise.persistence.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableColumnNames;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.EventTagTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * pekko-persistence-jdbc's journal DAO with one change: a batch of journal rows (the atomic
 * writes the plugin gathered, up to its {@code batchSize}) and their tags go to the database as
 * two JDBC batches in one transaction, instead of one {@code INSERT ... RETURNING} round trip per
 * event (Slick never batches an insert that returns keys). Everything else — reads, deletes, the
 * write queue and its batching — is the plugin's own.
 *
 * <p>Same rows as the plugin: events inserted in the order the plugin would insert them (sorted
 * by sequence number, stably), so the ordering column numbers them the same way; each event's
 * tags in the {@code event_tag} table under the ordering the database gave it; all of a batch or
 * nothing. Works on H2 and PostgreSQL (identifiers quoted as Slick quotes them). Set with
 * {@code jdbc-journal.dao}.
 */
public class BatchingJournalDao extends DefaultJournalDao {

  private final JdbcBackend.JdbcDatabaseDef database;
  private final String insertEvent;
  private final String orderingColumn;
  private final String insertTag;

  public BatchingJournalDao(JdbcBackend.JdbcDatabaseDef db, JdbcProfile profile,
      JournalConfig journalConfig, Serialization serialization, ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.database = db;
    EventJournalTableConfiguration events = journalConfig.eventJournalTableConfiguration();
    EventJournalTableColumnNames c = events.columnNames();
    this.insertEvent = "INSERT INTO " + table(events.schemaName(), events.tableName()) + " ("
        + String.join(", ", quoted(c.deleted()), quoted(c.persistenceId()),
            quoted(c.sequenceNumber()), quoted(c.writer()), quoted(c.writeTimestamp()),
            quoted(c.adapterManifest()), quoted(c.eventPayload()), quoted(c.eventSerId()),
            quoted(c.eventSerManifest()), quoted(c.metaPayload()), quoted(c.metaSerId()),
            quoted(c.metaSerManifest()))
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.orderingColumn = c.ordering();
    EventTagTableConfiguration tags = journalConfig.eventTagTableConfiguration();
    this.insertTag = "INSERT INTO " + table(tags.schemaName(), tags.tableName()) + " ("
        + quoted(tags.columnNames().eventId()) + ", " + quoted(tags.columnNames().tag())
        + ") VALUES (?, ?)";
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Future<BoxedUnit> writeJournalRows(
      Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    List<Tuple2<JournalPekkoSerializationRow, Set<String>>> sorted =
        new ArrayList<>(CollectionConverters.asJava(rows));
    // List.sort is stable, as the plugin's sortBy is
    sorted.sort(Comparator.comparingLong(row -> row._1().sequenceNumber()));
    SimpleJdbcAction<BoxedUnit> write = SimpleJdbcAction.apply(context -> {
      try {
        insert(context.connection(), sorted);
      } catch (SQLException e) {
        throw new JournalWriteException(e);
      }
      return BoxedUnit.UNIT;
    });
    // Slick types its effects with Scala's Nothing, which Java cannot name
    return (Future<BoxedUnit>) database.run((DBIOAction) write);
  }

  /** Writes the rows in one transaction; rolls it back and rethrows on any failure. */
  private void insert(Connection connection,
      List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) throws SQLException {
    boolean anyTags = rows.stream().anyMatch(row -> row._2().nonEmpty());
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      try (PreparedStatement events = anyTags
          ? connection.prepareStatement(insertEvent, new String[] {orderingColumn})
          : connection.prepareStatement(insertEvent)) {
        for (Tuple2<JournalPekkoSerializationRow, Set<String>> row : rows) {
          bind(events, row._1());
          events.addBatch();
        }
        checkCounts(events.executeBatch(), rows.size(), "event");
        if (anyTags) {
          insertTags(connection, events, rows);
        }
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private void insertTags(Connection connection, PreparedStatement events,
      List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) throws SQLException {
    List<Long> orderings = new ArrayList<>(rows.size());
    try (ResultSet keys = events.getGeneratedKeys()) {
      while (keys.next()) {
        orderings.add(keys.getLong(1));
      }
    }
    if (orderings.size() != rows.size()) {
      // never tag an event with another's ordering: fail the batch instead
      throw new SQLException("the database returned " + orderings.size() + " orderings for "
          + rows.size() + " events");
    }
    int count = 0;
    try (PreparedStatement tags = connection.prepareStatement(insertTag)) {
      for (int i = 0; i < rows.size(); i++) {
        for (String tag : CollectionConverters.asJava(rows.get(i)._2())) {
          tags.setLong(1, orderings.get(i));
          tags.setString(2, tag);
          tags.addBatch();
          count++;
        }
      }
      checkCounts(tags.executeBatch(), count, "tag");
    }
  }

  private static void bind(PreparedStatement s, JournalPekkoSerializationRow row)
      throws SQLException {
    s.setBoolean(1, row.deleted());
    s.setString(2, row.persistenceId());
    s.setLong(3, row.sequenceNumber());
    s.setString(4, row.writer());
    s.setLong(5, row.writeTimestamp());
    s.setString(6, row.adapterManifest());
    s.setBytes(7, row.eventPayload());
    s.setInt(8, row.eventSerId());
    s.setString(9, row.eventSerManifest());
    Option<byte[]> metaPayload = row.metaPayload();
    s.setBytes(10, metaPayload.isDefined() ? metaPayload.get() : null);
    Option<Object> metaSerId = row.metaSerId();
    if (metaSerId.isDefined()) {
      s.setInt(11, (Integer) metaSerId.get());
    } else {
      s.setNull(11, Types.INTEGER);
    }
    Option<String> metaSerManifest = row.metaSerManifest();
    s.setString(12, metaSerManifest.isDefined() ? metaSerManifest.get() : null);
  }

  private static void checkCounts(int[] counts, int expected, String what)
      throws SQLException {
    if (counts.length != expected) {
      throw new SQLException("a batch of " + expected + " " + what + " rows reported "
          + counts.length + " results");
    }
    for (int count : counts) {
      // SUCCESS_NO_INFO (-2) is a success whose row count the driver does not know
      if (count != 1 && count != PreparedStatement.SUCCESS_NO_INFO) {
        throw new SQLException("a " + what + " row was not inserted (update count " + count
            + ")");
      }
    }
  }

  private static String table(Option<String> schema, String name) {
    return schema.isDefined() && !schema.get().isEmpty()
        ? quoted(schema.get()) + "." + quoted(name) : quoted(name);
  }

  private static String quoted(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** Carries a JDBC failure out of Slick's action, which fails the batch's future with it. */
  private static final class JournalWriteException extends RuntimeException {
    JournalWriteException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
