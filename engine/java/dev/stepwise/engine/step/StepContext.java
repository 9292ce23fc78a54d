package dev.stepwise.engine.step;

import java.util.Map;
import java.util.concurrent.Executor;

/** What a custom step gets to do its work, and how it learns that it has been stopped. */
public interface StepContext {

  String executionId();

  String stepName();

  int attempt();

  Map<String, String> params();

  /** Where blocking work belongs; never block the thread that calls {@link CustomStep#run}. */
  Executor blockingExecutor();

  boolean isCancelled();

  /** Runs {@code action} once when the step is stopped (force stop, escalation, deadline). */
  void onCancel(Runnable action);
}
