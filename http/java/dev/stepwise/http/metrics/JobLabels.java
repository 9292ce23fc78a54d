package dev.stepwise.http.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Job names as metric labels, bounded: the first {@code max} jobs a node sees keep their name,
 * every later one is counted as {@link #OTHER}, so that a node with unbounded job names cannot
 * grow its metrics without bound. Which jobs are first is per node and per run.
 */
final class JobLabels {

  /** Not a valid job name (they start with a letter or digit), so it never hides a real job. */
  static final String OTHER = "_other";

  private final int max;
  private final Set<String> named = ConcurrentHashMap.newKeySet();

  JobLabels(int max) {
    this.max = max;
  }

  String of(String job) {
    if (job == null) {
      return OTHER;
    }
    if (named.contains(job)) {
      return job;
    }
    synchronized (named) {
      if (named.size() < max) {
        named.add(job);
        return job;
      }
    }
    return OTHER;
  }
}
