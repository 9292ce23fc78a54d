package dev.stepwise.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stepwise.bench.ResultTable.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a crash costs when much is running (issue 16, item 5): a node in a JVM of its own holds
 * many executions in a long sleep step, is killed with {@code kill -9} of its process group and
 * started again on the same database and data directory; measured are the time to readiness and
 * the time until every execution has resumed, while force stops keep arriving.
 *
 * <p>An execution has resumed when its recovered incarnation journals {@code StepInterrupted}
 * (cause: the node running it stopped) and the step's next attempt, {@code StepStarted}, in one
 * write. A force stop that reaches an execution before it resumed ends it instead, with
 * {@code StepInterrupted} (killed by a force stop) and {@code ExecutionCancelled}; it will never
 * resume, and is done with all the same. So the count that must reach N is of executions with a
 * {@code StepInterrupted} journaled after the kill: each has exactly one first such row, whether
 * the node resumed it or a stop ended it first; a stop after the resume adds a second row to an
 * execution already counted. The {@code StepStarted} rows after the kill count those the node
 * resumed; the rest were stopped first. The times come from the rows' write timestamps (the
 * node's clock, on this machine), not from polling.
 *
 * <p>On the default database (H2 in a file under the data directory) the same is measured
 * without stops: the node holds the file, so while it runs the count comes from its metrics
 * (step attempts ended as interrupted, one per resume when nothing else interrupts), and the
 * times are read from the file once the node is gone.
 *
 * <p>The stops begin once the node is ready (before that it answers nothing, which is what the
 * time to readiness measures) and go on, one every 250 ms, until every execution is counted.
 */
final class RecoveryAtScale {

  /**
   * @param ready restart (the new JVM launched) to {@code /health/ready} 200, in seconds
   * @param done seconds from restart until 50 %, 90 % and 100 % of the executions had resumed
   *     (or been stopped before they could); NaN for a share not reached in time
   * @param resumedByNode executions whose step the node started again (attempt 2)
   * @param stopsSent force stops sent between readiness and the last resume
   * @param stopsAccepted those answered 2xx
   * @param refusals the other answers, by status (-1: no answer)
   * @param stopLatency from sending a stop to its answer, for the 2xx ones
   */
  record Result(int executions, double ready, double[] done, int resumedByNode, int stopsSent,
      int stopsAccepted, Map<Integer, Integer> refusals, Samples stopLatency) {}

  static final String JOB = "bench-recovery";
  /** The journal's first steps (identifiers quoted: H2's tables are created with them). */
  private static final String STARTED = "SELECT count(*) FROM \"event_journal\""
      + " WHERE \"event_ser_manifest\" = 'StepStarted'";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration STOP_EVERY = Duration.ofMillis(250);
  private static final int OPEN_STARTS = 64;

  /** Opens a connection to the node's database. */
  @FunctionalInterface
  private interface Journal {
    Connection connect() throws SQLException;
  }

  private final Journal journal;
  /** Whether the journal can be read while the node runs (PostgreSQL; not H2's file). */
  private final boolean readableLive;
  private final Progress progress;

  private RecoveryAtScale(Journal journal, boolean readableLive, Progress progress) {
    this.journal = journal;
    this.readableLive = readableLive;
    this.progress = progress;
  }

  static void declare(ResultTable table, int executions) {
    String n = String.format(Locale.ROOT, "%,d", executions);
    table.declare("9.1", "recovery: kill -9 of the node's process group, restart → /health/ready"
        + " 200, " + n + " executions in flight", "s", 2, Target.none());
    table.declare("9.2", "recovery: " + n + " in flight (sleep steps), restart → all resumed",
        "s", 2, Target.atMost(60, "60 s"));
    table.declare("9.2.p50", "  restart → 50 % resumed", "s", 2, Target.none());
    table.declare("9.2.p90", "  restart → 90 % resumed", "s", 2, Target.none());
    table.declare("9.3", "recovery: force stops during recovery (one per 250 ms, ready → all"
        + " resumed) answered 2xx", "%", 1, Target.atLeast(100, "100 %"));
    table.declare("9.3.sent", "  force stops sent", "", 0, Target.none());
    table.declare("9.3.p50", "  force stop → answer, p50", "ms", 1, Target.none());
    table.declare("9.3.p99", "    p99", "ms", 1, Target.none());
    table.declare("9.3.max", "    max", "ms", 1, Target.none());
    table.declare("9.4", "recovery on the default database (H2 under the data directory), no"
        + " stops: restart → /health/ready 200", "s", 2, Target.none());
    table.declare("9.5", "  restart → all " + n + " resumed", "s", 2,
        Target.atMost(60, "60 s"));
    table.declare("9.5.p50", "  restart → 50 % resumed", "s", 2, Target.none());
    table.declare("9.5.p90", "  restart → 90 % resumed", "s", 2, Target.none());
  }

  static void recordDefaultDatabase(ResultTable table, Result result, String round) {
    table.record("9.4", result.ready());
    table.record("9.5.p50", result.done()[0]);
    table.record("9.5.p90", result.done()[1]);
    table.record("9.5", result.done()[2]);
    if (Double.isNaN(result.done()[2])) {
      table.note("round " + round + ": recovery on H2: not every execution had resumed by the"
          + " deadline; row 9.5 has no figure for it");
    }
  }

  static void record(ResultTable table, Result result, String round) {
    table.record("9.1", result.ready());
    table.record("9.2.p50", result.done()[0]);
    table.record("9.2.p90", result.done()[1]);
    table.record("9.2", result.done()[2]);
    if (result.stopsSent() > 0) {
      table.record("9.3", 100.0 * result.stopsAccepted() / result.stopsSent());
    }
    table.record("9.3.sent", result.stopsSent());
    table.record("9.3.p50", result.stopLatency().p50());
    table.record("9.3.p99", result.stopLatency().p99());
    table.record("9.3.max", result.stopLatency().max());
    if (Double.isNaN(result.done()[2])) {
      table.note("round " + round + ": recovery: not every execution had resumed by the"
          + " deadline; row 9.2 has no figure for it");
    }
    if (!result.refusals().isEmpty()) {
      table.note("round " + round + ": recovery: force stops not answered 2xx, by status (-1: no"
          + " answer): " + result.refusals());
    }
  }

  /**
   * Runs the measurement on a fresh database of {@code postgres}; the node's files (log, data
   * directory) go under a temporary directory, kept for a look afterwards.
   */
  static Result measure(DurablePostgres postgres, String database, int executions,
      List<String> nodeJvmOptions, Progress progress) throws Exception {
    String url = postgres.createDatabase(database);
    Path workDir = Files.createTempDirectory("stepwise-bench-recovery");
    Map<String, String> db = Map.of("STEPWISE_DB_URL", url, "STEPWISE_DB_USER", postgres.user(),
        "STEPWISE_DB_PASSWORD", "");
    try (NodeProcess node = new NodeProcess(workDir, db, nodeJvmOptions)) {
      progress.say("recovery: starting a node in a JVM of its own (log: %s)", node.log());
      return new RecoveryAtScale(() -> postgres.connect(database), true, progress)
          .run(node, executions);
    }
  }

  /** The same on the node's default database, H2 in a file under its data directory. */
  static Result measureOnDefaultDatabase(int executions, List<String> nodeJvmOptions,
      Progress progress) throws Exception {
    Path workDir = Files.createTempDirectory("stepwise-bench-recovery-h2");
    // the node's own default URL, read by this JVM only while the node is not running
    String url = "jdbc:h2:file:" + workDir.resolve("data").resolve("stepwise").toAbsolutePath();
    try (NodeProcess node = new NodeProcess(workDir, Map.of(), nodeJvmOptions)) {
      progress.say("recovery on H2: starting a node in a JVM of its own (log: %s)", node.log());
      return new RecoveryAtScale(() -> DriverManager.getConnection(url, "sa", ""), false,
          progress).run(node, executions);
    }
  }

  private Result run(NodeProcess node, int executions) throws Exception {
    node.launch();
    node.awaitReady(Duration.ofSeconds(180));
    NodeProcess.Answer defined = node.send("PUT", "/api/jobs/" + JOB, ForceStops.SLEEP_JOB_JSON,
        Duration.ofSeconds(30));
    if (!defined.ok()) {
      throw new IllegalStateException("defining " + JOB + " answered " + defined);
    }
    List<String> ids = startAll(node, executions);
    if (readableLive) {
      awaitCount(STARTED, executions, Duration.ofSeconds(120), "first steps journaled");
    }
    progress.say("recovery: %,d executions in their sleep step; kill -9 of the node's process"
        + " group", executions);
    node.killGroup();
    // every start was acknowledged after its StepStarted was written: each must be there
    long started = single(STARTED);
    if (started != executions) {
      throw new IllegalStateException(executions + " starts acknowledged, but " + started
          + " first steps in the journal after kill -9");
    }
    long mark = single("SELECT coalesce(max(\"ordering\"), 0) FROM \"event_journal\"");
    long restartedAtMillis = System.currentTimeMillis();
    long restartedAt = System.nanoTime();
    node.launch();
    node.awaitReady(Duration.ofSeconds(300));
    double ready = (System.nanoTime() - restartedAt) / 1e9;
    progress.say("recovery: ready %.2f s after the restart; %s", ready, readableLive
        ? "force stops every " + STOP_EVERY.toMillis() + " ms until all have resumed"
        : "no stops (counted from the node's metrics)");

    Stops stops = new Stops(node, readableLive ? ids : List.of());
    Duration within = Duration.ofSeconds(Math.max(120, executions * 60L / 1000));
    long deadline = restartedAt + within.toNanos();
    long nextStop = System.nanoTime();
    long nextSay = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long lastCount = 0;
    long handled = 0;
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      if (now >= nextStop) {
        stops.sendOne();
        nextStop += STOP_EVERY.toNanos();
      }
      if (now - lastCount >= TimeUnit.MILLISECONDS.toNanos(200)) {
        handled = readableLive ? handledSince(mark) : interruptedOnNode(node);
        lastCount = now;
        if (handled >= executions) {
          break;
        }
      }
      if (now >= nextSay) {
        progress.say("  %.0f s after the restart: %,d of %,d resumed (or stopped first), %d stops"
            + " sent", (now - restartedAt) / 1e9, handled, executions, stops.sent());
        nextSay += TimeUnit.SECONDS.toNanos(5);
      }
      Thread.sleep(Math.max(1, Math.min(20, (nextStop - System.nanoTime()) / 1_000_000)));
    }
    stops.finish(Duration.ofSeconds(90));
    if (!readableLive) {
      node.killGroup(); // frees H2's file for the reads below
    }

    double[] done = doneTimes(mark, restartedAtMillis, executions);
    int resumedByNode = (int) single(STARTED + " AND \"ordering\" > " + mark);
    Result result = new Result(executions, ready, done, resumedByNode, stops.sent(),
        stops.accepted(), stops.refusals(), stops.latency());
    progress.say("recovery: ready %.2f s; resumed 50 %% %.2f s, 90 %% %.2f s, 100 %% %.2f s"
        + " (%,d by the node, %,d stopped first); stops %d sent, %d answered 2xx, p50 %.1f ms,"
        + " p99 %.1f ms, max %.1f ms; others %s", ready, done[0], done[1], done[2],
        resumedByNode, executions - resumedByNode, stops.sent(), stops.accepted(),
        stops.latency().p50(), stops.latency().p99(), stops.latency().max(), stops.refusals());
    return result;
  }

  /** Starts {@code count} executions, {@value #OPEN_STARTS} requests open at once. */
  private List<String> startAll(NodeProcess node, int count) throws Exception {
    progress.say("recovery: starting %,d executions of a job with one 3,600 s sleep step", count);
    List<String> ids = Collections.synchronizedList(new ArrayList<>(count));
    Map<Integer, Integer> refused = Collections.synchronizedMap(new TreeMap<>());
    Semaphore open = new Semaphore(OPEN_STARTS);
    ExecutorService senders = Executors.newFixedThreadPool(OPEN_STARTS, daemon("bench-start"));
    long began = System.nanoTime();
    try {
      for (int i = 0; i < count; i++) {
        open.acquire();
        senders.execute(() -> {
          try {
            NodeProcess.Answer answer = node.send("POST", "/api/jobs/" + JOB + "/executions",
                "{}", Duration.ofSeconds(60));
            if (answer.ok()) {
              ids.add(MAPPER.readTree(answer.body()).get("id").asText());
            } else {
              refused.merge(answer.status(), 1, Integer::sum);
            }
          } catch (IOException | RuntimeException e) {
            refused.merge(-1, 1, Integer::sum);
          } finally {
            open.release();
          }
        });
        if ((i + 1) % 2_000 == 0) {
          progress.say("  %,d of %,d starts sent", i + 1, count);
        }
      }
      open.acquire(OPEN_STARTS);
    } finally {
      senders.shutdownNow();
    }
    if (!refused.isEmpty()) {
      throw new IllegalStateException("starts not acknowledged, by status: " + refused);
    }
    progress.say("  %,d starts acknowledged in %.1f s", ids.size(),
        (System.nanoTime() - began) / 1e9);
    return new ArrayList<>(ids);
  }

  /**
   * Seconds from the restart until 50, 90 and 100 % of the executions had their first
   * {@code StepInterrupted} after the kill, by the rows' write timestamps (milliseconds).
   */
  private double[] doneTimes(long mark, long restartedAtMillis, int executions)
      throws SQLException {
    List<Long> firsts = new ArrayList<>();
    try (Connection c = journal.connect();
         PreparedStatement s = c.prepareStatement("SELECT min(\"write_timestamp\") AS first"
             + " FROM \"event_journal\" WHERE \"ordering\" > ?"
             + " AND \"event_ser_manifest\" = 'StepInterrupted'"
             + " GROUP BY \"persistence_id\" ORDER BY first")) {
      s.setLong(1, mark);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          firsts.add(r.getLong(1));
        }
      }
    }
    double[] done = new double[3];
    double[] shares = {0.5, 0.9, 1.0};
    for (int i = 0; i < shares.length; i++) {
      int rank = (int) Math.ceil(shares[i] * executions);
      done[i] = firsts.size() >= rank
          ? (firsts.get(rank - 1) - restartedAtMillis) / 1000.0 : Double.NaN;
    }
    return done;
  }

  private long handledSince(long mark) {
    return single("SELECT count(DISTINCT \"persistence_id\") FROM \"event_journal\""
        + " WHERE \"ordering\" > " + mark + " AND \"event_ser_manifest\" = 'StepInterrupted'");
  }

  /**
   * Step attempts the restarted node has ended as interrupted, from its metrics: with no stops,
   * one per resumed execution.
   */
  private static long interruptedOnNode(NodeProcess node) {
    NodeProcess.Answer metrics = node.send("GET", "/metrics", null, Duration.ofSeconds(10));
    if (!metrics.ok()) {
      return 0;
    }
    double sum = 0;
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("stepwise_step_duration_seconds_count{")
          && line.contains("outcome=\"interrupted\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  private void awaitCount(String sql, long count, Duration within, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = single(sql);
      if (seen >= count) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(what + ": " + seen + " of " + count + " after "
        + within.toSeconds() + " s");
  }

  private long single(String sql) {
    try (Connection c = journal.connect();
         PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Force stops of executions picked at random, each stopped at most once, sent on threads of
   * their own so that a slow answer does not delay the next stop.
   */
  private static final class Stops {
    private final NodeProcess node;
    private final List<String> unstopped;
    private final ExecutorService senders = Executors.newCachedThreadPool(daemon("bench-stop"));
    private final List<Future<?>> calls = new ArrayList<>();
    private final Samples latency = new Samples();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Map<Integer, Integer> refusals = Collections.synchronizedMap(new TreeMap<>());

    Stops(NodeProcess node, List<String> ids) {
      this.node = node;
      this.unstopped = new ArrayList<>(ids);
      Collections.shuffle(this.unstopped);
    }

    void sendOne() {
      if (unstopped.isEmpty()) {
        return;
      }
      String id = unstopped.remove(unstopped.size() - 1);
      calls.add(senders.submit(() -> {
        long t0 = System.nanoTime();
        NodeProcess.Answer answer = node.send("POST", "/api/executions/" + id
            + "/stop?force=true", "{\"reason\":\"benchmark: a stop during recovery\"}",
            Duration.ofSeconds(60));
        if (answer.ok()) {
          latency.add(System.nanoTime() - t0);
          accepted.incrementAndGet();
        } else {
          refusals.merge(answer.status(), 1, Integer::sum);
        }
      }));
    }

    int sent() {
      return calls.size();
    }

    int accepted() {
      return accepted.get();
    }

    Map<Integer, Integer> refusals() {
      return new TreeMap<>(refusals);
    }

    Samples latency() {
      return latency;
    }

    /** Waits for the answers of the stops sent. */
    void finish(Duration within) throws Exception {
      long deadline = System.nanoTime() + within.toNanos();
      for (Future<?> call : calls) {
        call.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      senders.shutdownNow();
    }
  }
}
