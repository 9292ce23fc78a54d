package dev.stepwise.engine.step;

import java.util.concurrent.CompletionStage;

/**
 * A step type written in Java and registered by name in {@link StepTypes}. A force stop cancels
 * the returned stage and runs the callbacks given to {@link StepContext#onCancel}; work that
 * ignores both keeps running after the execution reports {@code Cancelled}, so honour them.
 */
@FunctionalInterface
public interface CustomStep {

  CompletionStage<StepResult> run(StepContext context);
}
