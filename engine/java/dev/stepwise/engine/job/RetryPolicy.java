package dev.stepwise.engine.job;

/** How often a failing step is tried in all, and how long to wait between tries. */
public record RetryPolicy(int maxAttempts, double backoffSeconds) {

  public static final RetryPolicy ONCE = new RetryPolicy(1, 0);
}
