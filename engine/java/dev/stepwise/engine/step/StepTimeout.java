package dev.stepwise.engine.step;

import dev.stepwise.engine.job.StepDefinition;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The deadline of one attempt, for every step type alike: a timer armed when the step names a
 * timeout, whose message each type answers by giving up its own way and reporting a failure.
 */
final class StepTimeout {

  /** What the timer sends when the attempt's time is up. */
  enum Expired implements StepMessage { INSTANCE }

  private StepTimeout() {}

  /** Arms the deadline of {@code step}; a step without a timeout may take as long as it takes. */
  static void arm(TimerScheduler<StepMessage> timers, StepDefinition step) {
    if (step.timeoutSeconds() != null) {
      timers.startSingleTimer(Expired.INSTANCE, Duration.ofSeconds(step.timeoutSeconds()));
    }
  }

  /** The failure of an attempt whose time was up: {@code timed out after 5 s}. */
  static String error(StepDefinition step) {
    return "timed out after " + step.timeoutSeconds() + " s";
  }
}
