package dev.stepwise.engine.execution;

import dev.stepwise.engine.execution.ExecutionEntity.ExecutionCreated;
import dev.stepwise.engine.execution.ExecutionEntity.ExecutionStarted;
import dev.stepwise.engine.execution.ExecutionEntity.RetryScheduled;
import dev.stepwise.engine.execution.ExecutionEntity.StepFailed;
import dev.stepwise.engine.execution.ExecutionEntity.StepInterrupted;
import dev.stepwise.engine.execution.ExecutionEntity.StepStarted;
import dev.stepwise.engine.execution.ExecutionEntity.StepSucceeded;
import dev.stepwise.engine.execution.ExecutionEntity.StopEscalated;
import dev.stepwise.engine.execution.ExecutionEntity.StopRequested;
import dev.stepwise.engine.execution.ExecutionEntity.Terminal;

/**
 * One method per kind of event, so that every reader of events (the execution's own state, the
 * read side, the log, the metrics, the names clients see) handles each kind: a new event type
 * adds a method here, and each of them fails to compile until it says what the event means to it.
 * The events that end an execution share one method: every reader takes them by their
 * {@link Terminal#status()}.
 */
public interface EventVisitor<R> {

  R executionCreated(ExecutionCreated event);

  R executionStarted(ExecutionStarted event);

  R stepStarted(StepStarted event);

  R stepSucceeded(StepSucceeded event);

  R stepFailed(StepFailed event);

  R stepInterrupted(StepInterrupted event);

  R retryScheduled(RetryScheduled event);

  R stopRequested(StopRequested event);

  R stopEscalated(StopEscalated event);

  /** Any of the five events that end an execution. */
  R executionEnded(Terminal event);
}
