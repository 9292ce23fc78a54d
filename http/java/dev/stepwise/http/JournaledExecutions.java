package dev.stepwise.http;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.persistence.ExecutionJournal;
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
 */
final class JournaledExecutions {

  private final Executions executions;
  private final ExecutionJournal journal;
  private final Executor executor;

  JournaledExecutions(Executions executions, ExecutionJournal journal, Executor executor) {
    this.executions = executions;
    this.journal = journal;
    this.executor = executor;
  }

  CompletionStage<ExecutionEntity.GetReply> get(String id) {
    return journal.jobOf(id)
        .handleAsync((job, failure) -> unknownTo(job, failure)
            ? CompletableFuture.<ExecutionEntity.GetReply>completedFuture(
                new ExecutionEntity.Unknown(id))
            : executions.get(id), executor)
        .thenCompose(Function.identity());
  }

  CompletionStage<ExecutionEntity.StopReply> stop(String id, StopMode mode, String reason,
      String requestedBy, Integer graceSeconds) {
    return journal.jobOf(id)
        .handleAsync((job, failure) -> unknownTo(job, failure)
            ? CompletableFuture.<ExecutionEntity.StopReply>completedFuture(
                new ExecutionEntity.Unknown(id))
            : executions.stop(id, mode, reason, requestedBy, graceSeconds), executor)
        .thenCompose(Function.identity());
  }

  /** Only a journal that answered can say that an execution does not exist. */
  private static boolean unknownTo(Optional<String> job, Throwable failure) {
    return failure == null && job.isEmpty();
  }
}
