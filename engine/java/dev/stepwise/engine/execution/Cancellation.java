package dev.stepwise.engine.execution;

import dev.stepwise.engine.CborSerializable;
import java.time.Instant;

/**
 * Who stopped an execution, why, when and how; the escalation fields are set once a graceful stop
 * turned into a kill, by its grace deadline or by a later force stop.
 */
public record Cancellation(
    StopMode mode,
    String reason,
    String requestedBy,
    Instant requestedAt,
    Instant graceDeadline,
    String escalatedBy,
    String escalationReason,
    Instant escalatedAt) implements CborSerializable {

  Cancellation escalate(String by, String why, Instant at) {
    return new Cancellation(StopMode.escalated, reason, requestedBy, requestedAt, graceDeadline,
        by, why, at);
  }

  /** Whether the running step is to be killed rather than awaited. */
  public boolean kills() {
    return mode != StopMode.graceful;
  }
}
