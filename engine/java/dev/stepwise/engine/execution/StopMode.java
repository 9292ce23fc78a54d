package dev.stepwise.engine.execution;

/**
 * How an execution was stopped. The constant names are the exact strings the API shows:
 * {@code escalated} is a graceful stop whose grace ran out or that a force stop overtook.
 */
public enum StopMode {
  graceful, force, escalated
}
