package dev.stepwise.bench;

import com.typesafe.config.Config;
import dev.stepwise.bench.ResultTable.Target;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.testing.Gates;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark of issue 8: starts a durable embedded PostgreSQL and a real node in this JVM,
 * drives the node over its public HTTP API (and, for comparison, through the {@code Executions}
 * facade), and prints one table of medians over rounds, each figure beside its target.
 *
 * <pre>
 * mvn -q test-compile exec:java -Dexec.mainClass=dev.stepwise.bench.Benchmark -Dexec.classpathScope=test
 * </pre>
 *
 * Sizes come from {@code bench.*} system properties ({@link BenchSettings}); progress goes to
 * standard error, the table to standard output. {@code -Dbench.jfr=FILE} records a JFR profile
 * of the whole run, {@code -Dbench.diagnose=true} samples the database during throughput.
 */
public final class Benchmark {

  private static final double MIB = 1024.0 * 1024.0;

  private final BenchSettings settings;
  private final Progress progress;
  private final ResultTable table = new ResultTable();
  private final Gates gates = new Gates();
  /** This round's throughput at the peak level, for the ratio to the ceiling. */
  private Throughput.Result peakHttp;
  private Throughput.Result peakFacade;
  /** This round's 3-step runs/s over HTTP by level, for the ratios to the peers. */
  private final Map<Integer, Double> httpThisRound = new java.util.HashMap<>();
  /** Whether the node's journal writes a batch's rows as JDBC batches (row 6.3's shape). */
  private boolean nodeBatches = true;

  Benchmark(BenchSettings settings, Progress progress) {
    this.settings = settings;
    this.progress = progress;
  }

  public static void main(String[] args) throws Exception {
    // before anything logs: node logs go to standard error, WARN and up, keeping the table alone
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-bench.xml");
    }
    BenchSettings settings = BenchSettings.from(System.getProperties());
    Progress progress = new Progress(System.err);
    String table;
    PrintStream out = System.out;
    // libraries print on standard output while nodes stop; only the table goes there
    System.setOut(System.err);
    try (Profile profile = Profile.startIfAsked(System.getProperty("bench.jfr"), progress)) {
      table = new Benchmark(settings, progress).run();
    } finally {
      System.setOut(out);
    }
    System.out.println(table);
    System.out.flush();
  }

  /** The table this benchmark fills; rendered by {@link #run()}. */
  ResultTable table() {
    return table;
  }

  /** Runs every phase and returns the rendered table. */
  String run() throws Exception {
    declareRows();
    table.header("Stepwise benchmark: " + settings.rounds() + " round(s), medians of rounds");
    table.header("machine: " + machine());
    table.header("sizes: " + settings);
    String loadBefore = loadAverage();
    progress.say("starting a durable embedded PostgreSQL");
    try (DurablePostgres postgres = DurablePostgres.start(settings.postgresSettings())) {
      table.header(postgres.describe());
      progress.say(postgres.describe());
      JournalCeiling ceiling = JournalCeiling.create(postgres);
      PeerComparison peers = new PeerComparison(settings, progress, table, postgres);
      if (settings.runs("peers")) {
        peers.describe();
      }
      runMainNode(postgres, ceiling, peers);
      if (settings.runs("h2")) {
        for (int round = 1; round <= settings.rounds(); round++) {
          String r = round + "/" + settings.rounds();
          phase("H2 commits", r, () -> h2Commits(r));
        }
      }
      if (settings.runs("norem")) {
        runWithoutRememberEntities(postgres);
      }
      if (settings.runs("recovery")) {
        // last, with no other node running: its node is a JVM of its own that has the cores
        for (int round = 1; round <= settings.rounds(); round++) {
          String r = round + "/" + settings.rounds();
          String database = "bench_recovery_r" + round;
          phase("recovery", r, () -> RecoveryAtScale.record(table, RecoveryAtScale.measure(
              postgres, database, settings.recoveryExecutions(), settings.recoveryNodeOptions(),
              progress), r));
          phase("recovery on H2", r, () -> RecoveryAtScale.recordDefaultDatabase(table,
              RecoveryAtScale.measureOnDefaultDatabase(settings.recoveryExecutions(),
                  settings.recoveryNodeOptions(), progress), r));
        }
      }
    }
    table.header("load average (1/5/15 min) at start: " + loadBefore + "; at end: "
        + loadAverage() + " (the machine is shared)");
    progress.say("done");
    return table.render();
  }

  private void declareRows() {
    int peak = settings.peakConcurrency();
    table.declare("0.1", "node ready: actor system start → /health/ready 200", "s", 2,
        Target.atMost(10, "10 s"));
    for (int level : settings.concurrency()) {
      String at = String.format(Locale.ROOT, "%,d", level);
      table.declare("1.c" + level, "runs/s of 3 noop steps, " + at + " in flight (HTTP; ends"
              + " seen on the event stream)", "runs/s", 0,
          level == peak ? Target.atLeast(2_000, "2,000") : Target.none());
      table.declare("1.c" + level + ".rows", "  journal rows written/s alongside", "rows/s", 0,
          Target.none());
      table.declare("1.c" + level + ".span", "  a run's first to last journal write, p50", "ms",
          0, Target.none());
    }
    String peakText = String.format(Locale.ROOT, "%,d", peak);
    table.declare("1.peak.perrun", "  journal rows per run at " + peakText + " (HTTP)", "rows", 2,
        Target.none());
    table.declare("1.peak.events", "    of which the execution's own events", "rows", 2,
        Target.none());
    table.declare("1.peak.snapshots", "  snapshots written per run", "", 2, Target.none());
    table.declare("1.peak.ratio", "  runs/s at " + peakText + " as share of the raw ceiling of the"
        + " node's write shape (6.3 batched, 6.1 the plugin's)",
        "%", 1, Target.none());
    table.declare("1.facade", "runs/s, " + peakText + " in flight, Executions facade (no HTTP)",
        "runs/s", 0, Target.atLeast(2_000, "2,000"));
    table.declare("1.facade.readside", "  read-side rows written per run (summaries, outcome"
        + " counts; the projection lags, so approximate)", "rows", 2, Target.none());
    table.declare("1.facade.ratio", "  as share of the raw ceiling of the node's write shape",
        "%", 1, Target.none());
    if (settings.runs("norem")) {
      table.declare("1.norem", "runs/s, " + peakText + " in flight (HTTP), remember-entities off",
          "runs/s", 0, Target.none());
      table.declare("1.norem.perrun", "  journal rows per run, remember-entities off", "rows", 2,
          Target.none());
    }
    for (String load : new String[] {"idle", "load"}) {
      for (String kind : new String[] {"sleep", "shell"}) {
        String where = load.equals("idle") ? "idle node" : peakText + " runs in flight";
        String prefix = "2." + kind + "." + load;
        table.declare(prefix + ".p50", "force stop → Cancelled, " + kind + " step, " + where
            + ", p50", "ms", 1, Target.none());
        table.declare(prefix + ".p99", "  p99", "ms", 1,
            load.equals("idle") ? Target.atMost(25, "25 ms") : Target.none());
        table.declare(prefix + ".max", "  max", "ms", 1, Target.none());
        if (kind.equals("shell")) {
          table.declare(prefix + ".dead.p50", "  force stop → the step's process is dead, p50",
              "ms", 1, Target.none());
          table.declare(prefix + ".dead.p99", "    p99", "ms", 1, load.equals("idle")
              ? Target.atMost(25, "25 ms") : Target.atMost(100, "100 ms"));
        }
      }
    }
    table.declare("2.load.runs", "  background load while stopping (HTTP)", "runs/s", 0,
        Target.none());
    table.declare("3.p50", "graceful stop: step end → Cancelled, p50", "ms", 1, Target.none());
    table.declare("3.p99", "  p99", "ms", 1, Target.atMost(25, "25 ms"));
    table.declare("4.p50", "SSE: event journaled → delivered to a client, p50", "ms", 1,
        Target.none());
    table.declare("4.p99", "  p99", "ms", 1, Target.atMost(250, "250 ms"));
    String held = String.format(Locale.ROOT, "%,d", settings.heldExecutions());
    table.declare("5.heap", "heap used after GC, " + held + " executions running", "MiB", 0,
        Target.atMost(1024, "1,024 MiB"));
    table.declare("5.bytes", "  heap per running execution", "bytes", 0, Target.none());
    for (String size : new String[] {"small", "large"}) {
      int rows = size.equals("small") ? settings.listRowsSmall() : settings.listRowsLarge();
      String over = String.format(Locale.ROOT, "%,d", rows);
      for (String page : new String[] {"first", "filtered"}) {
        String what = page.equals("first") ? "newest page" : "page filtered by job and status";
        String prefix = "5.list." + size + "." + page;
        table.declare(prefix + ".p50", "list " + what + " over " + over + " summaries, p50", "ms",
            1, Target.none());
        table.declare(prefix + ".p99", "  p99", "ms", 1,
            size.equals("large") ? Target.atMost(50, "50 ms") : Target.none());
      }
    }
    if (settings.runs("h2")) {
      table.declare("8.1", "default database (H2): one-row commits/s, 2 writers, WRITE_DELAY=0"
          + " (now: each commit written before it returns)", "tx/s", 0, Target.none());
      table.declare("8.2", "  the same with H2's default WRITE_DELAY=500 ms (before: lost on"
          + " kill -9)", "tx/s", 0, Target.none());
      table.declare("8.3", "  now as a share of before", "%", 1, Target.none());
    }
    table.declare("6.1", "raw ceiling: tagged journal rows/s as pekko-persistence-jdbc writes"
        + " them (batches of 400, a statement per row, 2 writers)", "rows/s", 0, Target.none());
    table.declare("6.2", "  transactions/s", "tx/s", 0, Target.none());
    table.declare("6.3", "raw ceiling: the same rows as JDBC batches (as the node's"
        + " BatchingJournalDao writes them)",
        "rows/s", 0, Target.none());
    table.declare("6.4", "raw ceiling: one-row transactions/s, 2 writers", "tx/s", 0,
        Target.none());
    if (settings.runs("peers")) {
      PeerComparison.declare(table, settings, settings.overHttp() && settings.runs("throughput"));
    }
    if (settings.runs("recovery")) {
      RecoveryAtScale.declare(table, settings.recoveryExecutions());
    }
  }

  private void runMainNode(DurablePostgres postgres, JournalCeiling ceiling,
      PeerComparison peers) throws Exception {
    postgres.createDatabase("bench");
    progress.say("starting the node");
    StepTypes stepTypes = StepTypes.with(Map.of(NoopStep.TYPE, new NoopStep(),
        GracefulStops.GATE_TYPE, gates));
    Path pids = Files.createTempDirectory("stepwise-bench-pids");
    try (BenchNode node = BenchNode.start(postgres, "bench", stepTypes, settings.nodeSettings());
         ApiClient api = node.client(settings.httpRequests())) {
      table.record("0.1", node.readiness().toMillis() / 1000.0);
      describeNode(node.system().settings().config(), "node");
      progress.say("node bound its API after %.2f s, ready after %.2f s",
          node.bound().toMillis() / 1000.0, node.readiness().toMillis() / 1000.0);
      JournalCounter counter = new JournalCounter(postgres, "bench");
      api.defineJob("bench-sleep", ForceStops.SLEEP_JOB_JSON);
      api.defineJob("bench-shell", ForceStops.shellJobJson(pids));
      api.defineJob("bench-gate", GracefulStops.JOB_JSON);
      api.defineJob("bench-sse", ForceStops.SLEEP_JOB_JSON);
      api.defineJob("bench-held", ForceStops.SLEEP_JOB_JSON);
      for (int round = 1; round <= settings.rounds(); round++) {
        String r = round + "/" + settings.rounds();
        int n = round;
        peakHttp = null;
        peakFacade = null;
        httpThisRound.clear();
        if (settings.runs("throughput")) {
          phase("throughput", r, () -> throughput(node, api, counter, n, r));
        }
        if (settings.runs("peers")) {
          phase("peers", r, () -> peers.run(node, counter, n, r, httpThisRound));
        }
        if (settings.runs("ceiling")) {
          phase("ceiling", r, () -> ceiling(ceiling, counter, r));
        }
        if (settings.runs("stops")) {
          phase("force stops", r, () -> stops(api, counter, pids, n, r));
        }
        if (settings.runs("graceful")) {
          phase("graceful stops", r, () -> {
            progress.say("round %s: graceful stops (%d)", r, settings.stops());
            Samples graceful = GracefulStops.measure(api, gates, "bench-gate", settings.stops());
            table.record("3.p50", graceful.p50());
            table.record("3.p99", graceful.p99());
          });
        }
        if (settings.runs("sse")) {
          phase("SSE delivery", r, () -> {
            progress.say("round %s: SSE delivery (%d events)", r, settings.stops());
            Samples sse = SseDelivery.measure(api, counter, "bench-sse", settings.stops());
            table.record("4.p50", sse.p50());
            table.record("4.p99", sse.p99());
          });
        }
        if (settings.runs("held")) {
          phase("held executions", r, () -> {
            progress.say("round %s: %,d executions running at once", r,
                settings.heldExecutions());
            HeldExecutions.Result held = HeldExecutions.measure(node, api, "bench-held",
                settings.heldExecutions(), settings.httpRequests(), progress);
            table.record("5.heap", held.heapUsedBytes() / MIB);
            table.record("5.bytes", held.bytesPerExecution());
            progress.say("  heap %.0f MiB, %.0f bytes per execution",
                held.heapUsedBytes() / MIB, held.bytesPerExecution());
          });
        }
      }
      if (settings.runs("list")) {
        phase("list queries", "all", () -> listQueries(postgres, api));
      }
    }
  }

  /** What a phase does; it may fail when the node refuses or times out. */
  @FunctionalInterface
  private interface Phase {
    void run() throws Exception;
  }

  /**
   * Runs one phase. A failure (on a shared machine an overloaded node can time out its journal
   * writes and refuse work for a while) is noted under the table and the run goes on, so one bad
   * minute does not lose the figures of the others.
   */
  private void phase(String name, String round, Phase phase) {
    try {
      phase.run();
    } catch (Exception e) {
      progress.say("round %s: %s failed: %s", round, name, e);
      table.note("round " + round + ": " + name + " failed (" + e.getMessage()
          + "); that round gave its rows no figure");
    }
  }

  private void throughput(BenchNode node, ApiClient api, JournalCounter counter, int round,
      String r) throws Exception {
    int peak = settings.peakConcurrency();
    for (int level : settings.overHttp() ? settings.concurrency() : new int[0]) {
      String job = "noop-c" + level + "-r" + round;
      api.defineJob(job, NoopLoad.JOB_JSON);
      progress.say("round %s: throughput, %,d in flight over HTTP", r, level);
      NoopLoad load = NoopLoad.overHttp(api, job, counter.maxOrdering(), level,
          settings.httpRequests());
      Throughput.Result result = Throughput.measure(load, counter, settings.warmup(),
          settings.window(), settings.diagnose());
      report(result, "HTTP, " + level + " in flight");
      table.record("1.c" + level, result.runsPerSecond());
      httpThisRound.put(level, result.runsPerSecond());
      table.record("1.c" + level + ".rows", result.journalRowsPerSecond());
      table.record("1.c" + level + ".span", result.runTimeP50());
      if (level == peak) {
        peakHttp = result;
        table.record("1.peak.perrun", result.journalRowsPerRun());
        table.record("1.peak.events", result.executionEventsPerRun());
        table.record("1.peak.snapshots", result.snapshotsPerRun());
      }
    }
    progress.say("round %s: throughput, %,d in flight through the Executions facade", r, peak);
    NoopLoad facadeLoad = NoopLoad.throughFacade(node, "facade-r" + round + "-",
        counter.maxOrdering(), peak);
    peakFacade = Throughput.measure(facadeLoad, counter, settings.warmup(), settings.window(),
        settings.diagnose());
    report(peakFacade, "facade, " + peak + " in flight");
    table.record("1.facade", peakFacade.runsPerSecond());
    table.record("1.facade.readside", peakFacade.readSideWritesPerRun());
  }

  /** The raw ceiling, and this round's throughput as a share of it. */
  private void ceiling(JournalCeiling ceiling, JournalCounter counter, String r)
      throws InterruptedException {
    int eventBytes = counter.averageEventBytes();
    progress.say("round %s: raw ceiling (events of %d bytes)", r, eventBytes);
    JournalCeiling.Result batched = ceiling.measure(JournalCeiling.Shape.PER_ROW, 400, 2,
        eventBytes, settings.window());
    JournalCeiling.Result jdbcBatched = ceiling.measure(JournalCeiling.Shape.BATCHED, 400, 2,
        eventBytes, settings.window());
    JournalCeiling.Result single = ceiling.measure(JournalCeiling.Shape.PER_ROW, 1, 2,
        eventBytes, settings.window());
    progress.say("  %.0f rows/s (%.0f tx/s) in batches of 400 a statement per row; %.0f rows/s"
        + " as JDBC batches; %.0f one-row tx/s", batched.rowsPerSecond(),
        batched.transactionsPerSecond(), jdbcBatched.rowsPerSecond(),
        single.transactionsPerSecond());
    table.record("6.1", batched.rowsPerSecond());
    table.record("6.2", batched.transactionsPerSecond());
    table.record("6.3", jdbcBatched.rowsPerSecond());
    table.record("6.4", single.transactionsPerSecond());
    // the ceiling in runs/s is its rows/s over the journal rows one run takes, for the shape of
    // writes the node's journal DAO makes
    double shape = nodeBatches ? jdbcBatched.rowsPerSecond() : batched.rowsPerSecond();
    if (peakHttp != null) {
      table.record("1.peak.ratio", 100 * peakHttp.runsPerSecond() * peakHttp.journalRowsPerRun()
          / shape);
    }
    if (peakFacade != null) {
      table.record("1.facade.ratio", 100 * peakFacade.runsPerSecond()
          * peakFacade.journalRowsPerRun() / shape);
    }
  }

  private void stops(ApiClient api, JournalCounter counter, Path pids, int round, String r)
      throws Exception {
    int count = settings.stops();
    progress.say("round %s: force stops on an idle node (%d sleep, %d shell)", r, count, count);
    recordStops("2.sleep.idle", ForceStops.sleepSteps(api, "bench-sleep", count));
    recordStops("2.shell.idle", ForceStops.shellSteps(api, "bench-shell", pids, count));
    int peak = settings.peakConcurrency();
    progress.say("round %s: force stops with %,d runs in flight", r, peak);
    String job = "noop-load-r" + round;
    api.defineJob(job, NoopLoad.JOB_JSON);
    NoopLoad load = NoopLoad.overHttp(api, job, counter.maxOrdering(), peak,
        settings.httpRequests());
    try {
      Thread.sleep(settings.warmup().toMillis());
      long ended0 = load.loop().endedCount();
      long t0 = System.nanoTime();
      recordStops("2.sleep.load", ForceStops.sleepSteps(api, "bench-sleep", count));
      recordStops("2.shell.load", ForceStops.shellSteps(api, "bench-shell", pids, count));
      double seconds = (System.nanoTime() - t0) / 1e9;
      table.record("2.load.runs", (load.loop().endedCount() - ended0) / seconds);
    } finally {
      if (!load.finish()) {
        table.note("round " + r + ": some background runs had not ended 120 s after the stops");
      }
    }
  }

  private void recordStops(String prefix, ForceStops.Result result) {
    table.record(prefix + ".p50", result.latencies().p50());
    table.record(prefix + ".p99", result.latencies().p99());
    table.record(prefix + ".max", result.latencies().max());
    if (result.workDead().count() > 0) {
      table.record(prefix + ".dead.p50", result.workDead().p50());
      table.record(prefix + ".dead.p99", result.workDead().p99());
      progress.say("  %s: work dead p50 %.1f ms, p99 %.1f ms", prefix, result.workDead().p50(),
          result.workDead().p99());
    }
    progress.say("  %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms", prefix, result.latencies().p50(),
        result.latencies().p99(), result.latencies().max());
    if (result.notCancelled() > 0 || result.workAlive() > 0) {
      table.note(prefix + ": " + result.notCancelled() + " stop answers did not say Cancelled, "
          + result.workAlive() + " step processes were still running after the answer");
    }
  }

  private void report(Throughput.Result result, String what) {
    progress.say("  %s: %.0f runs/s, %.0f journal rows/s, %.2f rows per run, %.2f read-side"
        + " rows per run; start answered"
        + " p50 %.0f ms, p99 %.0f ms; a run's first to last journal write p50 %.0f ms, p99 %.0f ms",
        what, result.runsPerSecond(), result.journalRowsPerSecond(), result.journalRowsPerRun(),
        result.readSideWritesPerRun(), result.startP50(), result.startP99(), result.runTimeP50(), result.runTimeP99());
    if (result.databaseActivity() != null) {
      progress.say("%s", result.databaseActivity());
    }
    if (result.refused() > 0) {
      table.note(what + ": " + result.refused() + " start requests were not accepted");
    }
    if (!result.drained()) {
      table.note(what + ": some runs had not ended 120 s after the loop stopped starting them");
    }
  }

  private void listQueries(DurablePostgres postgres, ApiClient api) throws Exception {
    try (Connection c = postgres.connect("bench")) {
      for (String size : new String[] {"small", "large"}) {
        long rows = size.equals("small") ? settings.listRowsSmall() : settings.listRowsLarge();
        long already = size.equals("small") ? 0 : settings.listRowsSmall();
        progress.say("list queries: adding summaries up to %,d", rows);
        SummaryRows.insert(c, already, rows, progress);
        for (int round = 1; round <= settings.rounds(); round++) {
          progress.say("round %d/%d: list queries over %,d summaries", round, settings.rounds(),
              rows);
          ListQueries.Result result = ListQueries.measure(api, settings.queries());
          table.record("5.list." + size + ".first.p50", result.firstPage().p50());
          table.record("5.list." + size + ".first.p99", result.firstPage().p99());
          table.record("5.list." + size + ".filtered.p50", result.filtered().p50());
          table.record("5.list." + size + ".filtered.p99", result.filtered().p99());
        }
      }
    }
  }

  private void runWithoutRememberEntities(DurablePostgres postgres) throws Exception {
    postgres.createDatabase("bench_norem");
    progress.say("starting a second node with remember-entities off");
    StepTypes stepTypes = StepTypes.with(Map.of(NoopStep.TYPE, new NoopStep()));
    Map<String, Object> withoutRemembering = new java.util.HashMap<>(settings.nodeSettings());
    withoutRemembering.put("pekko.cluster.sharding.remember-entities", "off");
    try (BenchNode node = BenchNode.start(postgres, "bench_norem", stepTypes, withoutRemembering);
         ApiClient api = node.client(settings.httpRequests())) {
      JournalCounter counter = new JournalCounter(postgres, "bench_norem");
      int peak = settings.peakConcurrency();
      for (int round = 1; round <= settings.rounds(); round++) {
        String job = "noop-norem-r" + round;
        api.defineJob(job, NoopLoad.JOB_JSON);
        String r = round + "/" + settings.rounds();
        phase("throughput without remember-entities", r, () -> {
          progress.say("round %s: throughput, %,d in flight, remember-entities off", r, peak);
          Throughput.Result result = Throughput.measure(NoopLoad.overHttp(api, job,
              counter.maxOrdering(), peak, settings.httpRequests()), counter, settings.warmup(),
              settings.window(), settings.diagnose());
          report(result, "HTTP without remember-entities, " + peak + " in flight");
          table.record("1.norem", result.runsPerSecond());
          table.record("1.norem.perrun", result.journalRowsPerRun());
        });
      }
    }
  }

  /** Before and after alternate within the round, so that both see the same machine. */
  private void h2Commits(String r) throws Exception {
    progress.say("round %s: H2 commits, WRITE_DELAY=0 and 500 ms", r);
    double now = H2Commits.measure(0, settings.window());
    double before = H2Commits.measure(500, settings.window());
    table.record("8.1", now);
    table.record("8.2", before);
    table.record("8.3", 100 * now / before);
    progress.say("  %,.0f commits/s now, %,.0f before", now, before);
  }

  private void describeNode(Config config, String which) {
    String dao = config.getString("jdbc-journal.dao");
    if (which.equals("node")) {
      nodeBatches = dao.endsWith(".BatchingJournalDao");
    }
    table.header(which + ": jdbc-journal.dao=" + dao.substring(dao.lastIndexOf('.') + 1)
        + ", parallelism=" + config.getInt("jdbc-journal.parallelism")
        + ", batchSize=" + config.getInt("jdbc-journal.batchSize")
        + ", pool=" + config.getInt("stepwise.database.max-connections")
        + ", remember-entities=" + config.getString("pekko.cluster.sharding.remember-entities")
        + " (" + config.getString("pekko.cluster.sharding.remember-entities-store") + ")"
        + ", read-journal refresh=" + config.getString("jdbc-read-journal.refresh-interval")
        + ", sequence query-delay="
        + config.getString("jdbc-read-journal.journal-sequence-retrieval.query-delay"));
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static String machine() {
    var os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    return Runtime.getRuntime().availableProcessors() + " cores, "
        + Math.round(os.getTotalMemorySize() / MIB / 1024) + " GiB RAM, "
        + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + ", max heap " + Math.round(Runtime.getRuntime().maxMemory() / MIB) + " MiB";
  }
}
