package dev.stepwise.engine.step;

import dev.stepwise.engine.job.StepDefinition;
import org.apache.pekko.actor.typed.ActorRef;

/** One attempt of one step of one execution, and where its outcome goes. */
public record StepAttempt(
    String executionId, int index, int attempt, StepDefinition step,
    ActorRef<StepOutcome> reportTo) {

  public void report(StepResult result) {
    reportTo.tell(new StepOutcome(index, attempt, result));
  }
}
