package dev.stepwise.http;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.Jobs;
import dev.stepwise.persistence.ExecutionJournal;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What a client may do with executions, in one place for every route: start one (idempotently),
 * retry, stop one or many, and read them. It knows nothing of HTTP; the routes parse, and
 * {@link Responses} maps what it answers.
 *
 * <p>It asks only executions the journal knows. Asking an execution wakes its sharded entity, and
 * with remember-entities each wake and passivation is a journal write; a request for an id that
 * never existed must change nothing, so it is answered from the journal. An execution is in the
 * journal before its start is acknowledged, so none that a client was told about is missed. When
 * the journal cannot answer (the database is away), the execution is asked anyway: a running one
 * still answers from memory.
 *
 * <p>Reads do not depend on the execution's owner being reachable. The journal is the truth an
 * entity's state is made from, so an ended execution is answered from it alone, and a live one
 * whose owner does not answer within {@code liveReadTimeout} (its node died and its shard has not
 * moved yet) is answered from it too, marked stale: its last journaled state, which may be behind
 * what is really happening.
 */
final class ExecutionService {

  /** An execution's state, and whether its owner confirmed it ({@code stale} when not). */
  record Read(ExecutionView view, boolean stale) {}

  /** What a start or a retry came to: the execution's answer, or why none was asked. */
  sealed interface StartOutcome {}

  /** The execution answered: it started, or it existed already (a repeated start). */
  record Answered(ExecutionEntity.StartReply reply) implements StartOutcome {}

  record NoSuchJob(String name) implements StartOutcome {}

  record NoSuchExecution(String id) implements StartOutcome {}

  /** Only an execution that ended unsuccessfully can be retried. */
  record NotRetryable(ExecutionView execution) implements StartOutcome {}

  /** One stop of many: the execution's answer, empty when it gave none. */
  record StopOutcome(String id, Optional<ExecutionEntity.StopReply> reply) {}

  /** About 100 bytes an id: 100,000 of them take some 10 MB. */
  private static final int KNOWN_IDS = 100_000;

  private final Executions executions;
  private final Jobs jobs;
  private final ExecutionJournal journal;
  private final ExecutionSummaries summaries;
  private final Executor executor;
  private final Duration liveReadTimeout;
  private final KnownExecutions known = new KnownExecutions(KNOWN_IDS);

  ExecutionService(ActorSystem<?> system, Executions executions, Jobs jobs,
      ExecutionJournal journal, ExecutionSummaries summaries, Duration liveReadTimeout) {
    this.executions = executions;
    this.jobs = jobs;
    this.journal = journal;
    this.summaries = summaries;
    this.executor = system.executionContext();
    this.liveReadTimeout = liveReadTimeout;
  }

  // ---------------------------------------------------------------- starts

  /**
   * Starts a run of the job's current definition. With an idempotency key the execution id
   * follows from job and key, so a repeat finds the execution the first request made, wherever
   * in the cluster it runs.
   */
  CompletionStage<StartOutcome> start(String job, Optional<String> idempotencyKey,
      Instant startAt, String requestedBy) {
    String id = newId(job, idempotencyKey);
    return jobs.get(job).thenComposeAsync(reply -> reply instanceof JobCatalog.Found found
        ? startOnce(id, job, found.job().definition(), startAt, requestedBy, null)
        : answer(new NoSuchJob(((JobCatalog.NotFound) reply).name())), executor);
  }

  /**
   * A new execution of the same definition as a terminal, unsuccessful one, linked by
   * {@code retryOf}. With an idempotency key a repeated retry finds the same new execution.
   */
  CompletionStage<StartOutcome> retry(String id, Optional<String> idempotencyKey,
      String requestedBy) {
    String newId = newId("retry/" + id, idempotencyKey);
    return get(id).thenComposeAsync(read -> retryOf(id, read, newId, requestedBy), executor);
  }

  private CompletionStage<StartOutcome> retryOf(String id, Optional<Read> read, String newId,
      String requestedBy) {
    if (read.isEmpty()) {
      return answer(new NoSuchExecution(id));
    }
    ExecutionView old = read.get().view();
    if (!old.status().isTerminal() || old.status() == Status.Success) {
      return answer(new NotRetryable(old));
    }
    return startOnce(newId, old.job(), old.definition(), null, requestedBy, id);
  }

  /** Random, or derived from what is started and the key, so that a repeat finds the first. */
  private static String newId(String started, Optional<String> idempotencyKey) {
    return idempotencyKey.map(key -> UUID.nameUUIDFromBytes((started + "/" + key)
            .getBytes(StandardCharsets.UTF_8)).toString())
        .orElseGet(() -> UUID.randomUUID().toString());
  }

  /** Starts (or finds, for a repeated start) execution {@code id}, and remembers that it exists. */
  private CompletionStage<StartOutcome> startOnce(String id, String job, JobDefinition definition,
      Instant startAt, String requestedBy, String retryOf) {
    return executions.start(id, job, definition, startAt, requestedBy, retryOf)
        .thenApply(reply -> {
          known.add(id);
          return reply;
        })
        .whenCompleteAsync((reply, failure) -> ExecutionRequestLog.startAnswered(
            requestedBy, reply), executor)
        .thenApply(Answered::new);
  }

  private static CompletionStage<StartOutcome> answer(StartOutcome outcome) {
    return CompletableFuture.completedFuture(outcome);
  }

  // ---------------------------------------------------------------- stops

  CompletionStage<ExecutionEntity.StopReply> stop(String id, StopMode mode, String reason,
      String requestedBy, Integer graceSeconds) {
    return stopKnown(id, mode, reason, requestedBy, graceSeconds)
        .whenCompleteAsync((reply, failure) -> ExecutionRequestLog.stopAnswered(
            requestedBy, id, mode, reply, failure), executor);
  }

  /** Stops several executions at once and says, per id, what became of each stop. */
  CompletionStage<List<StopOutcome>> stopEach(Collection<String> ids, StopMode mode,
      String reason, String requestedBy) {
    List<CompletableFuture<StopOutcome>> outcomes = ids.stream()
        .map(id -> stop(id, mode, reason, requestedBy, null)
            .thenApplyAsync(reply -> new StopOutcome(id, Optional.of(reply)), executor)
            .exceptionally(failure -> new StopOutcome(id, Optional.empty()))
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
        .thenApplyAsync(done -> outcomes.stream().map(CompletableFuture::join).toList(),
            executor);
  }

  /** Stops every execution of the job that the read side knows to be unfinished. */
  CompletionStage<List<StopOutcome>> stopJob(String job, StopMode mode, String reason,
      String requestedBy) {
    return summaries.unfinishedOf(job).thenComposeAsync(ids ->
        stopEach(ids, mode, reason, requestedBy), executor);
  }

  private CompletionStage<ExecutionEntity.StopReply> stopKnown(String id, StopMode mode,
      String reason, String requestedBy, Integer graceSeconds) {
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

  // ---------------------------------------------------------------- reads

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
        .thenApply(ExecutionService::confirmed)
        .exceptionally(ownerAway -> Optional.of(new Read(view.get(), true)));
  }

  private CompletionStage<Optional<Read>> askOwner(String id) {
    return executions.get(id).thenApply(ExecutionService::confirmed);
  }

  private static Optional<Read> confirmed(ExecutionEntity.GetReply reply) {
    return reply instanceof ExecutionEntity.Found found
        ? Optional.of(new Read(found.view(), false))
        : Optional.empty();
  }

  /** The execution as it was after event {@code asOf}, replayed from the journal alone. */
  CompletionStage<Optional<ExecutionView>> asOf(String id, long asOf) {
    return journal.replay(id, asOf);
  }

  /** Every journaled event of the execution; none for one that does not exist. */
  CompletionStage<List<ExecutionJournal.Entry>> history(String id) {
    return journal.history(id, Long.MAX_VALUE);
  }

  /**
   * A page of executions from the read side, newest first.
   *
   * @throws IllegalArgumentException for a cursor the read side did not hand out
   */
  CompletionStage<ExecutionSummaries.Page> list(String status, String job, int limit,
      String cursor) {
    return summaries.list(status, job, limit, cursor);
  }
}
