package dev.stepwise.bench;

import java.time.Duration;

/**
 * Measures a closed loop of no-op runs: after a warm-up, the runs that ended in a window, and the
 * journal rows written in the same window, read from the journal table itself.
 */
final class Throughput {

  /**
   * @param journalRowsPerRun every journal row of the window (executions' events, the shards'
   *     remember-entities events, anything else) per run that ended in it
   * @param refused start requests the node did not accept (should be 0)
   */
  record Result(double runsPerSecond, double journalRowsPerSecond, double journalRowsPerRun,
      double executionEventsPerRun, double snapshotsPerRun, double readSideWritesPerRun,
      long refused, boolean drained,
      double runTimeP50, double runTimeP99, double startP50, double startP99,
      String databaseActivity) {}

  private Throughput() {}

  /** With {@code diagnose}, the database's activity in the window is sampled too. */
  static Result measure(NoopLoad load, JournalCounter counter, Duration warmup, Duration window,
      boolean diagnose) throws InterruptedException {
    ClosedLoop loop = load.loop();
    long ended0;
    long ended1;
    long t0;
    long t1;
    String profile;
    JournalCounter.Rows rows;
    double[] runTimes;
    long readSide;
    boolean drained;
    try {
      Thread.sleep(warmup.toMillis());
      DatabaseActivity activity = diagnose ? counter.activity() : null;
      ended0 = loop.endedCount();
      long ordering0 = counter.maxOrdering();
      long snapshots0 = counter.snapshots();
      long readSide0 = counter.readSideWrites();
      t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      ended1 = loop.endedCount();
      t1 = System.nanoTime();
      long ordering1 = counter.maxOrdering();
      readSide = counter.readSideWrites() - readSide0;
      profile = activity == null ? null : activity.summary();
      if (activity != null) {
        activity.close();
      }
      rows = counter.between(ordering0, ordering1, snapshots0);
      runTimes = counter.runTimes(ordering0, ordering1);
    } finally {
      drained = load.finish();
    }
    double seconds = (t1 - t0) / 1e9;
    long runs = ended1 - ended0;
    return new Result(runs / seconds, rows.all() / seconds,
        runs == 0 ? Double.NaN : (double) rows.all() / runs,
        runs == 0 ? Double.NaN : (double) rows.executionEvents() / runs,
        runs == 0 ? Double.NaN : (double) rows.snapshots() / runs,
        runs == 0 ? Double.NaN : (double) readSide / runs,
        loop.refusedCount(), drained, runTimes[0], runTimes[1], loop.startLatencies().p50(),
        loop.startLatencies().p99(), profile);
  }
}
