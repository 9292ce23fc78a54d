package dev.stepwise.testing;

import dev.stepwise.engine.step.CustomStep;
import dev.stepwise.engine.step.StepContext;
import dev.stepwise.engine.step.StepResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * A custom step type whose attempts end when the test says so: each attempt opens a gate, and the
 * test passes (or fails) it. Lets lifecycle tests place a stop exactly while a step runs.
 */
public final class Gates implements CustomStep {

  /** One attempt of a gate step, as the test sees it. */
  public static final class Gate {
    final CompletableFuture<StepResult> result = new CompletableFuture<>();
    final CompletableFuture<Void> cancelled = new CompletableFuture<>();

    public void pass() {
      result.complete(StepResult.success("gate passed"));
    }

    public void fail(String why) {
      result.complete(new StepResult(false, 1, "gate output", why));
    }

    public boolean isCancelled() {
      return cancelled.isDone();
    }

    /** Whether the engine told the step to stop (force stop, escalation, deadline). */
    public boolean awaitCancelled(Duration within) {
      try {
        cancelled.get(within.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (Exception e) {
        return false;
      }
    }
  }

  private final ConcurrentMap<String, CompletableFuture<Gate>> gates = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<StepResult> run(StepContext context) {
    Gate gate = new Gate();
    context.onCancel(() -> gate.cancelled.complete(null));
    slot(context.executionId(), context.stepName(), context.attempt()).complete(gate);
    return gate.result;
  }

  /** Waits until the given attempt of the step has started, and returns its gate. */
  public Gate await(String executionId, String step, int attempt) {
    try {
      return slot(executionId, step, attempt).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("attempt " + attempt + " of step '" + step + "' of " + executionId
          + " did not start within 30 s", e);
    }
  }

  /** The gate of that attempt if it has started, else null. */
  public Gate peek(String executionId, String step, int attempt) {
    return slot(executionId, step, attempt).getNow(null);
  }

  public boolean started(String executionId, String step, int attempt) {
    return slot(executionId, step, attempt).isDone();
  }

  private CompletableFuture<Gate> slot(String executionId, String step, int attempt) {
    return gates.computeIfAbsent(executionId + "/" + step + "/" + attempt,
        key -> new CompletableFuture<>());
  }
}
