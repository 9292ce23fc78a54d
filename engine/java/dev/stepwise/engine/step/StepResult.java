package dev.stepwise.engine.step;

import dev.stepwise.engine.CborSerializable;

/** What one attempt of a step produced: whether it succeeded, and what an operator needs to see. */
public record StepResult(boolean succeeded, Integer exitCode, String output, String error)
    implements CborSerializable {

  public static StepResult success(String output) {
    return new StepResult(true, null, output, null);
  }

  public static StepResult failure(String error) {
    return new StepResult(false, null, null, error);
  }
}
