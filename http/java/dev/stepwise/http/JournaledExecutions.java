package dev.stepwise.http;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.persistence.ExecutionJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Reads and stops executions the journal knows, and only those. Asking an execution wakes its
 * sharded entity, and with remember-entities each wake and passivation is a journal write; a
 * request for an id that never existed must change nothing, so it is answered from the journal.
 * An execution is in the journal before its start is acknowledged, so none that a client was
 * told about is missed. When the journal cannot answer (the database is away), the execution is
 * asked anyway: a running one still answers from memory.
 *
 * <p>Reads do not depend on the execution's owner being reachable. The journal is the truth an
 * entity's state is made from, so an ended execution is answered from it alone, and a live one
 * whose owner does not answer within {@code liveReadTimeout} (its node died and its shard has not
 * moved yet) is answered from it too, marked stale: its last journaled state, which may be behind
 * what is really happening.
 */
final class JournaledExecutions {

  /** An execution's state, and whether its owner confirmed it ({@code stale} when not). */
  record Read(ExecutionView view, boolean stale) {}

  /** About 100 bytes an id: 100,000 of them take some 10 MB. */
  private static final int KNOWN_IDS = 100_000;

  private final Executions executions;
  private final ExecutionJournal journal;
  private final Executor executor;
  private final Duration liveReadTimeout;
  private final KnownExecutions known = new KnownExecutions(KNOWN_IDS);

  JournaledExecutions(Executions executions, ExecutionJournal journal, Executor executor,
      Duration liveReadTimeout) {
    this.executions = executions;
    this.journal = journal;
    this.executor = executor;
    this.liveReadTimeout = liveReadTimeout;
  }

  /** Starts (or finds, for a repeated start) execution {@code id}, and remembers that it exists. */
  CompletionStage<ExecutionEntity.StartReply> start(String id, String job,
      JobDefinition definition, Instant startAt, String requestedBy, String retryOf) {
    return executions.start(id, job, definition, startAt, requestedBy, retryOf)
        .thenApply(reply -> {
          known.add(id);
          return reply;
        });
  }

  /** Empty for an execution that does not exist. */
  CompletionStage<Optional<Read>> get(String id) {
    return journal.history(id, Long.MAX_VALUE)
        .handleAsync((entries, failure) -> failure != null
            ? askOwner(id)
            : fromJournal(id, entries), executor)
        .thenCompose(Function.identity());
  }

  private CompletionStage<Optional<Read>> fromJournal(String id,
      List<ExecutionJournal.Entry> entries) {
    if (entries.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    known.add(id);
    Optional<ExecutionView> view = ExecutionJournal.replay(entries);
    if (view.isEmpty()) {
      return askOwner(id); // retention pruned its history: its snapshot is the owner's to read
    }
    if (view.get().status().isTerminal()) {
      return CompletableFuture.completedFuture(Optional.of(new Read(view.get(), false)));
    }
    return executions.get(id, liveReadTimeout)
        .thenApply(JournaledExecutions::confirmed)
        .exceptionally(ownerAway -> Optional.of(new Read(view.get(), true)));
  }

  private CompletionStage<Optional<Read>> askOwner(String id) {
    return executions.get(id).thenApply(JournaledExecutions::confirmed);
  }

  private static Optional<Read> confirmed(ExecutionEntity.GetReply reply) {
    return reply instanceof ExecutionEntity.Found found
        ? Optional.of(new Read(found.view(), false))
        : Optional.empty();
  }

  CompletionStage<ExecutionEntity.StopReply> stop(String id, StopMode mode, String reason,
      String requestedBy, Integer graceSeconds) {
    if (known.contains(id)) {
      return executions.stop(id, mode, reason, requestedBy, graceSeconds);
    }
    return journal.jobOf(id)
        .handleAsync((job, failure) -> {
          if (unknownTo(job, failure)) {
            return CompletableFuture.<ExecutionEntity.StopReply>completedFuture(
                new ExecutionEntity.Unknown(id));
          }
          if (failure == null) {
            known.add(id);
          }
          return executions.stop(id, mode, reason, requestedBy, graceSeconds);
        }, executor)
        .thenCompose(Function.identity());
  }

  /** Only a journal that answered can say that an execution does not exist. */
  private static boolean unknownTo(Optional<String> job, Throwable failure) {
    return failure == null && job.isEmpty();
  }
}
