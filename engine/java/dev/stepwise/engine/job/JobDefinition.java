package dev.stepwise.engine.job;

import java.util.List;

/**
 * What a job runs: its steps in order, the cleanup steps a graceful stop runs, and the limits of a
 * run. An execution keeps its own copy, so replacing a job never changes a run already started.
 */
public record JobDefinition(
    String description,
    List<StepDefinition> steps,
    Integer timeoutSeconds,
    Integer stopGraceSeconds,
    Boolean deadLetter,
    List<StepDefinition> onCancel) {

  /** Grace period of a graceful stop when neither the job nor the request names one. */
  public static final int DEFAULT_STOP_GRACE_SECONDS = 300;

  public static JobDefinition of(StepDefinition... steps) {
    return new JobDefinition(null, List.of(steps), null, null, null, null);
  }

  public JobDefinition withTimeoutSeconds(int timeout) {
    return new JobDefinition(description, steps, timeout, stopGraceSeconds, deadLetter, onCancel);
  }

  public JobDefinition withStopGraceSeconds(int grace) {
    return new JobDefinition(description, steps, timeoutSeconds, grace, deadLetter, onCancel);
  }

  public JobDefinition withDeadLetter(boolean enabled) {
    return new JobDefinition(description, steps, timeoutSeconds, stopGraceSeconds, enabled,
        onCancel);
  }

  public JobDefinition withOnCancel(StepDefinition... cleanup) {
    return new JobDefinition(description, steps, timeoutSeconds, stopGraceSeconds, deadLetter,
        List.of(cleanup));
  }

  public List<StepDefinition> onCancelOrEmpty() {
    return onCancel == null ? List.of() : onCancel;
  }

  public boolean deadLetterEnabled() {
    return deadLetter == null || deadLetter;
  }

  public int stopGraceOrDefault() {
    return stopGraceSeconds == null ? DEFAULT_STOP_GRACE_SECONDS : stopGraceSeconds;
  }
}
