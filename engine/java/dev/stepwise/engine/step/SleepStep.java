package dev.stepwise.engine.step;

import dev.stepwise.engine.job.StepDefinition;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Runs a {@code sleep} step: a timer, which stopping the actor cancels. */
final class SleepStep {

  private enum Elapsed implements StepMessage { INSTANCE }

  private SleepStep() {}

  static Behavior<StepMessage> create(StepAttempt attempt, StepDefinition.Sleep step) {
    double seconds = step.seconds();
    return Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Elapsed.INSTANCE, Duration.ofMillis(Math.round(seconds * 1000)));
      // a sleep no longer than its timeout ends well, even when both fall due at once
      if (step.timeoutSeconds() != null && step.timeoutSeconds() < seconds) {
        StepTimeout.arm(timers, step);
      }
      return Behaviors.receiveMessage(message -> {
        attempt.report(message == Elapsed.INSTANCE
            ? StepResult.success("slept " + seconds + " s")
            : StepResult.failure(StepTimeout.error(step)));
        return Behaviors.stopped();
      });
    });
  }
}
