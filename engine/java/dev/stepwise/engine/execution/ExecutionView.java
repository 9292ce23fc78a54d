package dev.stepwise.engine.execution;

import dev.stepwise.engine.CborSerializable;
import dev.stepwise.engine.job.JobDefinition;
import java.time.Instant;
import java.util.List;

/**
 * What a reader sees of an execution: its status, its steps with their latest attempts, and the
 * cancellation block when it was stopped, and the job definition it runs (its own copy).
 * {@code sequenceNr} is the last event it reflects.
 */
public record ExecutionView(
    String id,
    String job,
    Status status,
    String currentStep,
    List<StepRun> steps,
    Instant createdAt,
    Instant startAt,
    Instant startedAt,
    Instant completedAt,
    String error,
    Cancellation cancellation,
    String createdBy,
    String retryOf,
    JobDefinition definition,
    long sequenceNr) implements CborSerializable {

  public static ExecutionView of(Execution execution, long sequenceNr) {
    StepRun current = execution.currentStep();
    return new ExecutionView(execution.id(), execution.job(), execution.status(),
        current == null ? null : current.name(), execution.steps(), execution.createdAt(),
        execution.startAt(), execution.startedAt(), execution.completedAt(), execution.error(),
        execution.cancellation(), execution.createdBy(), execution.retryOf(), execution.definition(),
        sequenceNr);
  }
}
