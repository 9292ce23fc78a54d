package dev.stepwise.engine.execution;

import dev.stepwise.engine.CborSerializable;
import java.time.Instant;

/** One step of an execution as it ran: its latest attempt and what that attempt produced. */
public record StepRun(
    String name,
    String type,
    boolean cleanup,
    StepStatus status,
    int attempt,
    int failures,
    Instant startedAt,
    Instant completedAt,
    Integer exitCode,
    String output,
    String error) implements CborSerializable {

  static StepRun notStarted(String name, String type, boolean cleanup) {
    return new StepRun(name, type, cleanup, StepStatus.Pending, 0, 0, null, null, null, null, null);
  }

  StepRun started(int newAttempt, Instant at) {
    return new StepRun(name, type, cleanup, StepStatus.Running, newAttempt, failures, at, null,
        null, null, null);
  }

  StepRun ended(StepStatus newStatus, Integer code, String out, String why, Instant at) {
    int newFailures = newStatus == StepStatus.Failed ? failures + 1 : failures;
    return new StepRun(name, type, cleanup, newStatus, attempt, newFailures, startedAt, at, code,
        out, why);
  }

  StepRun withStatus(StepStatus newStatus) {
    return new StepRun(name, type, cleanup, newStatus, attempt, failures, startedAt, completedAt,
        exitCode, output, error);
  }
}
