package dev.stepwise.engine.execution;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Learns what an execution has just journaled, so that metrics and logs can follow executions
 * without the engine knowing who listens. Called on the execution's own thread once each persist
 * is confirmed: it must be quick, and whatever it throws is logged and ignored.
 */
@FunctionalInterface
public interface ExecutionObserver {

  ExecutionObserver NONE = (before, events, after, took) -> {};

  /**
   * @param before the execution before {@code events}; null when they created it
   * @param events what was journaled in this one write, in order
   * @param after the execution after them
   * @param took from the persist call to its confirmation: the journal's write latency as the
   *     execution saw it, batching and queueing in the journal included
   */
  void persisted(Execution before, List<ExecutionEntity.Event> events, Execution after,
      Duration took);

  /** One observer that tells each of {@code observers}, in order, even when one of them throws. */
  static ExecutionObserver all(ExecutionObserver... observers) {
    List<ExecutionObserver> each = List.of(observers);
    return (before, events, after, took) -> {
      RuntimeException first = null;
      for (ExecutionObserver observer : each) {
        try {
          observer.persisted(before, events, after, took);
        } catch (RuntimeException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    };
  }

  /**
   * When the attempt that a step-ended event of this write ends began: attempts start in an
   * earlier write than the one that ends them, so {@code before} knows. Null when it does not.
   */
  static Instant attemptStart(Execution before, int index, int attempt) {
    if (before == null || index < 0 || index >= before.steps().size()) {
      return null;
    }
    StepRun run = before.steps().get(index);
    return run.attempt() == attempt ? run.startedAt() : null;
  }
}
