package dev.stepwise.persistence.readside;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps {@code execution_summary} in step with the journal: all executions' events in journal
 * order, applied in batches, each batch committed with its offset in one transaction. It runs
 * once in the cluster (a sharded daemon process of one), on whichever node holds it.
 */
public final class ExecutionSummaryProjection {

  public static final ProjectionId ID = ProjectionId.of("execution-summary", ExecutionEntity.TAG);
  /** A batch closes after this many events or this long, whichever comes first. */
  static final int BATCH_EVENTS = 500;
  static final Duration BATCH_WINDOW = Duration.ofMillis(100);

  private ExecutionSummaryProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, ID.name(), 1,
        instance -> ProjectionBehavior.create(projection(system, dataSource)),
        ShardedDaemonProcessSettings.create(system),
        Optional.of(ProjectionBehavior.stopMessage()));
  }

  static GroupedProjection<Offset, EventEnvelope<Event>> projection(
      ActorSystem<?> system, DataSource dataSource) {
    SourceProvider<Offset, EventEnvelope<Event>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), ExecutionEntity.TAG);
    return JdbcProjection.groupedWithin(ID, source, () -> new PooledJdbcSession(dataSource),
            () -> new Handler(), system)
        .withGroup(BATCH_EVENTS, BATCH_WINDOW)
        .withRestartBackoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2);
  }

  private static final class Handler
      extends JdbcHandler<List<EventEnvelope<Event>>, PooledJdbcSession> {
    @Override
    public void process(PooledJdbcSession session, List<EventEnvelope<Event>> envelopes)
        throws Exception {
      List<SummaryUpdates.Change> changes = new ArrayList<>(envelopes.size());
      for (EventEnvelope<Event> envelope : envelopes) {
        changes.add(new SummaryUpdates.Change(
            PersistenceId.extractEntityId(envelope.persistenceId()), envelope.sequenceNr(),
            envelope.event()));
      }
      // a statement per execution of the batch rather than one per event
      session.withConnection(connection -> {
        SummaryUpdates.applyAll(connection, changes);
        return null;
      });
    }
  }
}
