package dev.stepwise.bench;

import dev.stepwise.engine.step.CustomStep;
import dev.stepwise.engine.step.StepContext;
import dev.stepwise.engine.step.StepResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The trivial step the throughput phases run: it succeeds at once, so that what is measured is
 * the engine (journal writes, actors, sharding), not the work of a step.
 */
final class NoopStep implements CustomStep {

  static final String TYPE = "noop";

  private static final CompletableFuture<StepResult> DONE =
      CompletableFuture.completedFuture(StepResult.success(null));

  @Override
  public CompletionStage<StepResult> run(StepContext context) {
    return DONE;
  }
}
