package dev.stepwise.engine.execution;

/** Where one step of an execution stands; exact strings as the API shows them. */
public enum StepStatus {
  /** Not started yet. */
  Pending,
  Running,
  /** Failed and waiting for its next attempt. */
  Retrying,
  Success,
  Failed,
  /** Killed, by a stop or a deadline, or cut short by a node's death. */
  Interrupted,
  /** Never ran because the execution ended first. */
  Skipped
}
