package dev.stepwise.persistence;

import dev.stepwise.engine.execution.Execution;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads executions from the journal without waking them: one execution's history, its state as of
 * any event (replayed with {@link Execution#apply}, the entity's own event handler), and the live
 * stream of every execution's events in journal order with resumable offsets.
 *
 * <p>Stages that Pekko returns run even {@code thenApply} on the JDK's default executor, which on
 * a 2-core machine is a new thread per call; they are continued on the system's executor.
 */
public final class ExecutionJournal {

  /** One journaled event; {@code offset} orders all executions' events and resumes a stream. */
  public record Entry(long offset, String executionId, long seq, long timestamp,
      ExecutionEntity.Event event) {}

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public ExecutionJournal(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** The execution's events up to {@code toSeq}, in order; empty for an unknown execution. */
  public CompletionStage<List<Entry>> history(String executionId, long toSeq) {
    return journal.currentEventsByPersistenceId(persistenceId(executionId), 1, toSeq)
        .map(ExecutionJournal::entry)
        .runWith(Sink.seq(), system);
  }

  /**
   * The execution as it stood after event {@code toSeq} (or its last event, if it has fewer);
   * empty for an unknown execution.
   */
  public CompletionStage<Optional<ExecutionView>> replay(String executionId, long toSeq) {
    return history(executionId, toSeq).thenApplyAsync(ExecutionJournal::replay,
        system.executionContext());
  }

  /** Empty when {@code entries} do not start with the execution's creation (none, or pruned). */
  public static Optional<ExecutionView> replay(List<Entry> entries) {
    return Execution.replay(entries.stream().map(Entry::event).toList())
        .map(execution -> ExecutionView.of(execution, entries.get(entries.size() - 1).seq()));
  }

  /** The job an execution runs, read from its first event; empty for an unknown execution. */
  public CompletionStage<Optional<String>> jobOf(String executionId) {
    return journal.currentEventsByPersistenceId(persistenceId(executionId), 1, 1)
        .map(EventEnvelope::event)
        .runWith(Sink.headOption(), system)
        .thenApplyAsync(first -> first
            .filter(ExecutionEntity.ExecutionCreated.class::isInstance)
            .map(e -> ((ExecutionEntity.ExecutionCreated) e).job()), system.executionContext());
  }

  /** Ids of every execution in the journal, in no particular order. */
  public CompletionStage<List<String>> executionIds() {
    String prefix = ExecutionEntity.ENTITY_KEY.name() + "|";
    return journal.currentPersistenceIds()
        .filter(pid -> pid.startsWith(prefix))
        .map(pid -> pid.substring(prefix.length()))
        .runWith(Sink.seq(), system);
  }

  /** Every execution's events after {@code afterOffset}, live, never ending. */
  public Source<Entry, NotUsed> eventsAfter(long afterOffset) {
    return journal.eventsByTag(ExecutionEntity.TAG, Offset.sequence(afterOffset))
        .map(ExecutionJournal::entry);
  }

  /** Completes once the database answered a query. */
  public CompletionStage<Done> probe(Duration within) {
    return journal.currentEventsByPersistenceId("health|probe", 0, 1)
        .completionTimeout(within)
        .runWith(Sink.ignore(), system);
  }

  private static Entry entry(EventEnvelope envelope) {
    long offset = envelope.offset() instanceof Sequence sequence ? sequence.value() : 0L;
    String pid = envelope.persistenceId();
    String id = pid.substring(pid.indexOf('|') + 1);
    return new Entry(offset, id, envelope.sequenceNr(), envelope.timestamp(),
        (ExecutionEntity.Event) envelope.event());
  }

  private static String persistenceId(String executionId) {
    return ExecutionEntity.persistenceId(executionId).id();
  }
}
