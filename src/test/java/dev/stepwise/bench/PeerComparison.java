package dev.stepwise.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.stepwise.bench.ResultTable.Target;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Stepwise beside the schedulers a user might pick instead (issue 16): db-scheduler, JobRunr and
 * Quartz, each in this JVM on a fresh database of the same durable PostgreSQL, on the same work —
 * runs of 1 and of 3 no-op steps (for a peer, one job whose body does 1 or 3 in-memory
 * increments) at each in-flight level — and, for the peers that have one, their cancel latency.
 * Stepwise runs in-process through the {@code Executions} facade, its runs seen to end on the
 * journal query; a peer's runs are seen to end when their body returns, which favours the peers
 * a little (their completion write is still to come).
 */
final class PeerComparison {

  private static final int[] STEPS = {1, 3};
  /** JobRunr starts a job and notices a delete only on its 5 s polls: its cancels are capped. */
  private static final int JOBRUNR_MAX_STOPS = 10;
  private static final List<String> PEERS = List.of("dbs", "jobrunr", "quartz");
  private static final Map<String, String> NAMES = Map.of(
      "dbs", "db-scheduler 15.0.0", "jobrunr", "JobRunr 7.3.2", "quartz", "Quartz 2.5.0 JDBC");

  private final BenchSettings settings;
  private final Progress progress;
  private final ResultTable table;
  private final DurablePostgres postgres;
  private boolean databasesCreated;

  PeerComparison(BenchSettings settings, Progress progress, ResultTable table,
      DurablePostgres postgres) {
    this.settings = settings;
    this.progress = progress;
    this.table = table;
    this.postgres = postgres;
  }

  /** Declares the rows; {@code withHttp}: the throughput phase gives 3-step HTTP figures too. */
  static void declare(ResultTable table, BenchSettings settings, boolean withHttp) {
    int peak = settings.peakConcurrency();
    for (int steps : STEPS) {
      for (int level : settings.concurrency()) {
        String at = String.format(Locale.ROOT, "%,d", level);
        String key = key(steps, level);
        table.declare(key, "runs/s of " + steps + " noop step" + (steps == 1 ? "" : "s") + ", "
            + at + " in flight: Stepwise in-process (Executions facade)", "runs/s", 0,
            Target.none());
        for (String peer : PEERS) {
          table.declare(key + "." + peer, "  " + NAMES.get(peer), "runs/s", 0, Target.none());
        }
        table.declare(key + ".ratio", "  Stepwise in-process ÷ best peer", "×", 2,
            steps == 1 && level == peak ? Target.atLeast(2, "2×") : Target.none());
        if (steps == 3 && withHttp) {
          table.declare(key + ".http", "  Stepwise over HTTP (row 1.c" + level + ") ÷ best peer",
              "×", 2, level == peak ? Target.atLeast(1, "1×") : Target.none());
        }
      }
    }
    for (String peer : new String[] {"jobrunr", "quartz"}) {
      String what = peer.equals("jobrunr")
          ? "JobRunr: delete of a processing job → its running code interrupted"
          : "Quartz: interrupt → its running job's interrupt() called (cooperative)";
      table.declare("7.cancel." + peer + ".p50", "cancel, idle: " + what
          + (peer.equals("jobrunr") ? " (1 stop in 20, at most " + JOBRUNR_MAX_STOPS + ")" : "") + ", p50", "ms", 1,
          Target.none());
      table.declare("7.cancel." + peer + ".p99", "  p99", "ms", 1, Target.none());
    }
  }

  private static String key(int steps, int level) {
    return "7.s" + steps + ".c" + level;
  }

  /** Header lines saying how each peer is driven. */
  void describe() {
    table.header("peers, each on a fresh database of the same PostgreSQL, pool "
        + PeerDatabase.CONNECTIONS + ": db-scheduler 15.0.0 (" + dbsHow() + "); JobRunr 7.3.2"
        + " (bulk enqueue, 16 workers, poll 5 s, its minimum on SQL; window at least 10 s);"
        + " Quartz 2.5.0 (JDBC job store, bulk scheduleJobs, 16 threads, batched acquisition);"
        + " db-scheduler has no cancel of a running execution");
  }

  private static String dbsHow() {
    return "one-time tasks scheduled one by one by 8 clients, lock-and-fetch, 16 threads,"
        + " immediate execution";
  }

  /**
   * One round: Stepwise in-process at every level, then each peer; then the ratios.
   *
   * @param httpRunsPerSecond this round's 3-step HTTP figures by level, if any
   */
  void run(BenchNode node, JournalCounter counter, int round, String r,
      Map<Integer, Double> httpRunsPerSecond) throws Exception {
    if (!databasesCreated) {
      DbSchedulerPeer.createDatabase(postgres, "peer_dbscheduler");
      postgres.createDatabase("peer_jobrunr");
      QuartzPeer.createDatabase(postgres, "peer_quartz");
      databasesCreated = true;
    }
    Map<String, Double> figures = new HashMap<>();
    for (int steps : STEPS) {
      for (int level : settings.concurrency()) {
        progress.say("round %s: Stepwise in-process, %d step(s), %,d in flight", r, steps, level);
        NoopLoad load = NoopLoad.throughFacade(node, "peers-s" + steps + "-c" + level + "-r"
            + round + "-", counter.maxOrdering(), level,
            steps == 1 ? NoopLoad.ONE_STEP_JOB : NoopLoad.JOB);
        Throughput.Result result = Throughput.measure(load, counter, settings.warmup(),
            settings.window(), false);
        progress.say("  %.0f runs/s", result.runsPerSecond());
        if (result.refused() > 0 || !result.drained()) {
          table.note("round " + r + ", Stepwise in-process " + steps + " step(s) at " + level
              + ": " + result.refused() + " starts refused, drained " + result.drained());
        }
        record(figures, key(steps, level), result.runsPerSecond());
      }
    }
    runPeer("dbs", r, figures, () -> DbSchedulerPeer.start(
        PeerDatabase.open(postgres, "peer_dbscheduler")), settings.window());
    Duration jobRunrWindow = settings.window().compareTo(JobRunrPeer.POLL.multipliedBy(2)) < 0
        ? JobRunrPeer.POLL.multipliedBy(2) : settings.window();
    runPeer("jobrunr", r, figures, () -> JobRunrPeer.start(
        PeerDatabase.open(postgres, "peer_jobrunr")), jobRunrWindow);
    runPeer("quartz", r, figures, () -> QuartzPeer.start(postgres, "peer_quartz"),
        settings.window());
    for (int steps : STEPS) {
      for (int level : settings.concurrency()) {
        String key = key(steps, level);
        double best = PEERS.stream().mapToDouble(p -> figures.getOrDefault(key + "." + p,
            Double.NaN)).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
        if (Double.isNaN(best) || best <= 0) {
          continue;
        }
        table.record(key + ".ratio", figures.getOrDefault(key, Double.NaN) / best);
        Double http = httpRunsPerSecond.get(level);
        if (steps == 3 && http != null && table.keys().contains(key + ".http")) {
          table.record(key + ".http", http / best);
        }
      }
    }
  }

  @FunctionalInterface
  private interface PeerStart {
    Peer start() throws Exception;
  }

  private void runPeer(String id, String r, Map<String, Double> figures, PeerStart starter,
      Duration window) {
    String name = NAMES.get(id);
    progress.say("round %s: %s", r, name);
    try (Peer peer = starter.start()) {
      for (int steps : STEPS) {
        for (int level : settings.concurrency()) {
          PeerLoad.Result result = PeerLoad.measure(peer, level, steps, settings.warmup(),
              window);
          progress.say("  %s, %d step(s), %,d in flight: %.0f runs/s", name, steps, level,
              result.runsPerSecond());
          if (result.failed() > 0 || !result.drained()) {
            table.note("round " + r + ", " + name + " " + steps + " step(s) at " + level + ": "
                + result.failed() + " enqueues failed, drained " + result.drained());
          }
          record(figures, key(steps, level) + "." + id, result.runsPerSecond());
        }
      }
      // a JobRunr cancel takes up to two 5 s polls (to start the job, to see the delete)
      int stops = id.equals("jobrunr")
          ? Math.max(1, Math.min(settings.stops() / 20, JOBRUNR_MAX_STOPS)) : settings.stops();
      Samples cancels = peer.cancelLatencies(stops);
      if (cancels != null) {
        progress.say("  %s cancel (%d): p50 %.1f ms, p99 %.1f ms", name, stops, cancels.p50(),
            cancels.p99());
        table.record("7.cancel." + id + ".p50", cancels.p50());
        table.record("7.cancel." + id + ".p99", cancels.p99());
      }
    } catch (Exception e) {
      progress.say("round %s: %s failed: %s", r, name, e);
      table.note("round " + r + ": " + name + " failed (" + e + "); its rows have no figure"
          + " from that round");
    }
  }

  private void record(Map<String, Double> figures, String key, double value) {
    figures.put(key, value);
    table.record(key, value);
  }
}
