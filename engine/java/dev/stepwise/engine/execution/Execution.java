package dev.stepwise.engine.execution;

import dev.stepwise.engine.CborSerializable;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything known about one execution, rebuilt from its events by {@link #apply}: the one place
 * that says what an event means, used alike by the live entity, recovery and audit replay.
 *
 * <p>{@code steps} holds the job's steps followed by its {@code onCancel} cleanup steps, so an
 * event's step index points into the same list either way.
 */
public record Execution(
    String id,
    String job,
    JobDefinition definition,
    String createdBy,
    String retryOf,
    Status status,
    List<StepRun> steps,
    int current,
    boolean inFlight,
    Instant retryAt,
    Cancellation cancellation,
    Instant createdAt,
    Instant startAt,
    Instant startedAt,
    Instant completedAt,
    String error) implements CborSerializable {

  static Execution created(ExecutionEntity.ExecutionCreated event) {
    List<StepRun> runs = new ArrayList<>();
    for (StepDefinition step : event.definition().steps()) {
      runs.add(StepRun.notStarted(step.name(), step.type(), false));
    }
    for (StepDefinition step : event.definition().onCancelOrEmpty()) {
      runs.add(StepRun.notStarted(step.name(), step.type(), true));
    }
    return new Execution(event.executionId(), event.job(), event.definition(), event.createdBy(),
        event.retryOf(), Status.Pending, List.copyOf(runs), -1, false, null, null, event.at(),
        event.startAt(), null, null, null);
  }

  /**
   * The execution that {@code events} describe, for audits and {@code asOf} views; empty unless
   * they start with its {@code ExecutionCreated}.
   */
  public static Optional<Execution> replay(List<? extends Event> events) {
    if (events.isEmpty() || !(events.get(0) instanceof ExecutionEntity.ExecutionCreated created)) {
      return Optional.empty();
    }
    Execution execution = created(created);
    for (Event event : events.subList(1, events.size())) {
      execution = execution.apply(event);
    }
    return Optional.of(execution);
  }

  /** The state after {@code event}; pure, because it runs again on every replay. */
  public Execution apply(Event event) {
    if (event instanceof ExecutionEntity.ExecutionCreated e) {
      return created(e);
    } else if (event instanceof ExecutionEntity.ExecutionStarted e) {
      return new Execution(id, job, definition, createdBy, retryOf, Status.Running, steps, current,
          inFlight, retryAt, cancellation, createdAt, startAt, e.at(), completedAt, error);
    } else if (event instanceof ExecutionEntity.StepStarted e) {
      return stepStarted(e);
    } else if (event instanceof ExecutionEntity.StepSucceeded e) {
      return stepEnded(e.index(), StepStatus.Success, e.exitCode(), e.output(), null, e.at());
    } else if (event instanceof ExecutionEntity.StepFailed e) {
      return stepEnded(e.index(), StepStatus.Failed, e.exitCode(), e.output(), e.error(), e.at());
    } else if (event instanceof ExecutionEntity.StepInterrupted e) {
      return stepEnded(e.index(), StepStatus.Interrupted, null, null, e.cause(), e.at());
    } else if (event instanceof ExecutionEntity.RetryScheduled e) {
      return retryScheduled(e);
    } else if (event instanceof ExecutionEntity.StopRequested e) {
      return stopRequested(e);
    } else if (event instanceof ExecutionEntity.StopEscalated e) {
      return new Execution(id, job, definition, createdBy, retryOf, status, steps, current,
          inFlight, retryAt, cancellation.escalate(e.requestedBy(), e.reason(), e.at()),
          createdAt, startAt, startedAt, completedAt, error);
    } else if (event instanceof ExecutionEntity.ExecutionCancelled e) {
      return ended(e.status(), error, e.at()); // keeps the error of a step that failed meanwhile
    } else if (event instanceof ExecutionEntity.Terminal e) {
      return ended(e.status(), e.error(), e.at());
    }
    throw new IllegalArgumentException("unknown event " + event.getClass().getName());
  }

  public int mainStepCount() {
    return definition.steps().size();
  }

  public StepDefinition stepDefinition(int index) {
    return index < mainStepCount()
        ? definition.steps().get(index)
        : definition.onCancelOrEmpty().get(index - mainStepCount());
  }

  /** The step in flight, waiting for its retry, or about to start; null when there is none. */
  public StepRun currentStep() {
    return current >= 0 && current < steps.size() && (inFlight || retryAt != null)
        ? steps.get(current) : null;
  }

  public int currentAttempt() {
    return current >= 0 ? steps.get(current).attempt() : 0;
  }

  public boolean isCleaningUp() {
    return current >= mainStepCount();
  }

  private Execution stepStarted(ExecutionEntity.StepStarted e) {
    List<StepRun> runs = new ArrayList<>(steps);
    runs.set(e.index(), runs.get(e.index()).started(e.attempt(), e.at()));
    return new Execution(id, job, definition, createdBy, retryOf, status, List.copyOf(runs),
        e.index(), true, null, cancellation, createdAt, startAt, startedAt, completedAt, error);
  }

  private Execution stepEnded(int index, StepStatus outcome, Integer code, String out, String why,
      Instant at) {
    List<StepRun> runs = new ArrayList<>(steps);
    runs.set(index, runs.get(index).ended(outcome, code, out, why, at));
    String executionError = outcome == StepStatus.Failed && index < mainStepCount()
        ? "step '" + runs.get(index).name() + "' failed: " + why : error;
    return new Execution(id, job, definition, createdBy, retryOf, status, List.copyOf(runs),
        index, false, null, cancellation, createdAt, startAt, startedAt, completedAt,
        executionError);
  }

  private Execution retryScheduled(ExecutionEntity.RetryScheduled e) {
    List<StepRun> runs = new ArrayList<>(steps);
    runs.set(e.index(), runs.get(e.index()).withStatus(StepStatus.Retrying));
    return new Execution(id, job, definition, createdBy, retryOf, status, List.copyOf(runs),
        e.index(), false, e.retryAt(), cancellation, createdAt, startAt, startedAt, completedAt,
        error);
  }

  private Execution stopRequested(ExecutionEntity.StopRequested e) {
    Cancellation stop = new Cancellation(e.mode(), e.reason(), e.requestedBy(), e.at(),
        e.graceDeadline(), null, null, null);
    return new Execution(id, job, definition, createdBy, retryOf, Status.Cancelling, steps,
        current, inFlight, null, stop, createdAt, startAt, startedAt, completedAt, error);
  }

  private Execution ended(Status terminal, String why, Instant at) {
    List<StepRun> runs = new ArrayList<>(steps.size());
    for (StepRun run : steps) {
      runs.add(run.status() == StepStatus.Pending || run.status() == StepStatus.Retrying
          ? run.withStatus(StepStatus.Skipped) : run);
    }
    return new Execution(id, job, definition, createdBy, retryOf, terminal, List.copyOf(runs),
        current, false, null, cancellation, createdAt, startAt, startedAt, at, why);
  }
}
