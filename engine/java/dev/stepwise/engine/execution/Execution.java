package dev.stepwise.engine.execution;

import dev.stepwise.engine.JournalSerializable;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

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
    String error) implements JournalSerializable {

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
    return event.accept(new Transition(this));
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

  /** When the job's timeout ends this execution; null without a timeout or before it started. */
  public Instant deadline() {
    Integer timeout = definition.timeoutSeconds();
    return timeout == null || startedAt == null ? null : startedAt.plusSeconds(timeout);
  }

  public boolean isCleaningUp() {
    return current >= mainStepCount();
  }

  /**
   * What each event does to an execution: the one place that says so, checked by the compiler for
   * every kind of event.
   */
  private record Transition(Execution from) implements EventVisitor<Execution> {

    @Override
    public Execution executionCreated(ExecutionEntity.ExecutionCreated e) {
      return created(e);
    }

    @Override
    public Execution executionStarted(ExecutionEntity.ExecutionStarted e) {
      return from.with(next -> {
        next.status = Status.Running;
        next.startedAt = e.at();
      });
    }

    @Override
    public Execution stepStarted(ExecutionEntity.StepStarted e) {
      return from.with(next -> {
        next.step(e.index(), run -> run.started(e.attempt(), e.at()));
        next.inFlight = true;
      });
    }

    @Override
    public Execution stepSucceeded(ExecutionEntity.StepSucceeded e) {
      return from.stepEnded(e.index(), StepStatus.Success, e.exitCode(), e.output(), null, e.at());
    }

    @Override
    public Execution stepFailed(ExecutionEntity.StepFailed e) {
      return from.stepEnded(e.index(), StepStatus.Failed, e.exitCode(), e.output(), e.error(),
          e.at());
    }

    @Override
    public Execution stepInterrupted(ExecutionEntity.StepInterrupted e) {
      return from.stepEnded(e.index(), StepStatus.Interrupted, null, null, e.cause(), e.at());
    }

    @Override
    public Execution retryScheduled(ExecutionEntity.RetryScheduled e) {
      return from.with(next -> {
        next.step(e.index(), run -> run.withStatus(StepStatus.Retrying));
        next.retryAt = e.retryAt();
      });
    }

    @Override
    public Execution stopRequested(ExecutionEntity.StopRequested e) {
      return from.with(next -> {
        next.status = Status.Cancelling;
        next.retryAt = null;
        next.cancellation = new Cancellation(e.mode(), e.reason(), e.requestedBy(), e.at(),
            e.graceDeadline(), null, null, null);
      });
    }

    @Override
    public Execution stopEscalated(ExecutionEntity.StopEscalated e) {
      return from.with(next ->
          next.cancellation = next.cancellation.escalate(e.requestedBy(), e.reason(), e.at()));
    }

    @Override
    public Execution executionEnded(ExecutionEntity.Terminal e) {
      return from.ended(e);
    }

  }

  private Execution stepEnded(int index, StepStatus outcome, Integer code, String out, String why,
      Instant at) {
    return with(next -> {
      next.step(index, run -> run.ended(outcome, code, out, why, at));
      if (outcome == StepStatus.Failed && index < mainStepCount()) {
        next.error = "step '" + steps.get(index).name() + "' failed: " + why;
      }
    });
  }

  private Execution ended(ExecutionEntity.Terminal event) {
    // a cancel keeps the error of a step that failed meanwhile; the other endings set their own
    String why = event instanceof ExecutionEntity.ExecutionCancelled ? error : event.error();
    return with(next -> {
      next.status = event.status();
      next.steps.replaceAll(run -> run.status() == StepStatus.Pending
          || run.status() == StepStatus.Retrying ? run.withStatus(StepStatus.Skipped) : run);
      next.inFlight = false;
      next.retryAt = null;
      next.completedAt = event.at();
      next.error = why;
    });
  }

  /** A copy with what {@code change} sets; the fields fixed at creation stay as they are. */
  private Execution with(Consumer<Next> change) {
    Next next = new Next(this);
    change.accept(next);
    return new Execution(id, job, definition, createdBy, retryOf, next.status,
        List.copyOf(next.steps), next.current, next.inFlight, next.retryAt, next.cancellation,
        createdAt, startAt, next.startedAt, next.completedAt, next.error);
  }

  /** The fields an event may change, while a transition sets them. */
  private static final class Next {
    Status status;
    final List<StepRun> steps;
    int current;
    boolean inFlight;
    Instant retryAt;
    Cancellation cancellation;
    Instant startedAt;
    Instant completedAt;
    String error;

    Next(Execution from) {
      status = from.status;
      steps = new ArrayList<>(from.steps);
      current = from.current;
      inFlight = from.inFlight;
      retryAt = from.retryAt;
      cancellation = from.cancellation;
      startedAt = from.startedAt;
      completedAt = from.completedAt;
      error = from.error;
    }

    /** Changes step {@code index}, which becomes the current one, no longer waiting to retry. */
    void step(int index, UnaryOperator<StepRun> change) {
      steps.set(index, change.apply(steps.get(index)));
      current = index;
      inFlight = false;
      retryAt = null;
    }
  }
}
