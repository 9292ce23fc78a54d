package dev.stepwise.persistence.readside;

import java.time.Instant;

/** One row of the read side: an execution as list and filter queries show it. */
public record ExecutionSummary(
    String id,
    String job,
    String status,
    String currentStep,
    int stepCount,
    String createdBy,
    Instant createdAt,
    Instant startAt,
    Instant startedAt,
    Instant completedAt,
    Cancellation cancellation,
    String error,
    String retryOf,
    String retriedBy) {

  /** The stop block of a summary; null on the summary when nobody stopped the execution. */
  public record Cancellation(String mode, String reason, String requestedBy, Instant requestedAt) {}
}
