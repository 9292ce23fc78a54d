package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.cluster.LocalCluster.Answer;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real node JVMs (each {@code Main}, as the README starts it) on one PostgreSQL: stops
 * through any node, a node's {@code kill -9}, and a rolling restart. One cluster serves the
 * tests in turn (starting three JVMs on two cores is the slow part); after each test every node
 * runs again and sees all three Up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  static final Duration WAIT = Duration.ofSeconds(30);

  static LocalCluster cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = LocalCluster.start("cluster", 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Whatever a test stopped or killed runs again before the next test. */
  @AfterEach
  void heal() {
    for (LocalCluster.Node node : cluster.nodes()) {
      if (!node.running()) {
        cluster.restart(node.index);
      }
    }
    cluster.awaitMembers(3);
  }

  /**
   * Starts executions of {@code job} through node {@code via} until one runs on a node that
   * {@code wanted} accepts (a different node than {@code via}, or a given one); force-stops the
   * others, which sharding happened to place elsewhere.
   */
  static String[] startRunningOn(String job, int via, IntPredicate wanted) {
    List<String> strays = new ArrayList<>();
    try {
      for (int tries = 0; tries < 40; tries++) {
        String id = cluster.start(via, job);
        int host = cluster.awaitHost(id);
        if (wanted.test(host)) {
          return new String[] {id, Integer.toString(host)};
        }
        strays.add(id);
      }
      throw new AssertionError("no execution of " + job + " landed where wanted in 40 starts");
    } finally {
      strays.forEach(id -> assertThat(cluster.stop(via, id, true, "placed elsewhere").status())
          .isEqualTo(202));
    }
  }

  /**
   * Single-node outcomes and events ({@code StopOverHttpEndToEndIT}) for stops that arrive at a
   * node other than the one running the execution; a third node's event stream carries them.
   */
  @Test
  @Order(1)
  void stopsThroughAnyNodeReachTheOwningNodeWithSingleNodeOutcomesAndEvents() throws Exception {
    String operator = cluster.token("otto", "operator");
    int a = 0;
    try (EventStream watchOnC = new EventStream(cluster, 2, cluster.token("vera", "viewer"))) {
      // graceful: started through A, runs on B, stopped through C; the step ends when the
      // test opens its gate, after the stop
      Path gate = dir.resolve("gate");
      Path gentleDir = Files.createDirectory(dir.resolve("gentle"));
      cluster.defineJob(a, "gentle", "{\"steps\":["
          + cluster.shellStep("one", "while [ ! -e " + gate + " ]; do sleep 0.1; done") + ","
          + cluster.shellStep("two", "touch " + gentleDir.resolve("two")) + "]}");
      String[] placed = startRunningOn("gentle", a, host -> host != a);
      String gentle = placed[0];
      int b = Integer.parseInt(placed[1]);
      int c = 3 - a - b;

      // the stream of C was opened before anything started; make sure it is live by now
      Eventually.await("node C streams the events of the execution on B", WAIT,
          () -> watchOnC.typesOf(gentle).contains("StepStarted"));

      Answer stopping = cluster.send(c, "POST", "/api/executions/" + gentle + "/stop",
          operator, "{\"reason\":\"not today\"}");
      assertThat(stopping.status()).isEqualTo(202);
      assertThat(stopping.json().get("status").asText()).isEqualTo("Cancelling");
      Files.createFile(gate);
      JsonNode cancelled = Eventually.await(gentle + " is Cancelled", WAIT,
          () -> cluster.view(c, gentle), v -> "Cancelled".equals(v.path("status").asText()));
      assertThat(cancelled.at("/cancellation/mode").asText()).isEqualTo("graceful");
      assertThat(cancelled.at("/cancellation/requestedBy").asText()).isEqualTo("otto");
      assertThat(cancelled.at("/cancellation/reason").asText()).isEqualTo("not today");
      assertThat(cancelled.at("/steps/0/status").asText()).isEqualTo("Success");
      assertThat(cancelled.at("/steps/1/status").asText()).isEqualTo("Skipped");
      assertThat(gentleDir.resolve("two")).doesNotExist();
      assertThat(cluster.history(a, gentle)).containsExactly("ExecutionCreated",
          "ExecutionStarted", "StepStarted", "StopRequested", "StepSucceeded",
          "ExecutionCancelled");

      // force: started through C, runs on B, stopped through A; answered once the work is dead
      String mark = UUID.randomUUID().toString();
      Path roughDir = Files.createDirectory(dir.resolve("rough"));
      cluster.defineJob(a, "rough", "{\"steps\":["
          + cluster.shellStep("one", "sleep 300 & sleep 301 & wait", mark) + ","
          + cluster.shellStep("two", "touch " + roughDir.resolve("two")) + "]}");
      String rough = startRunningOn("rough", c, host -> host == b)[0];
      Eventually.await("bash and both sleeps of the forced execution run", WAIT,
          () -> Processes.withEnv("MARK", mark).size() == 3);
      Answer killed = cluster.send(a, "POST", "/api/executions/" + rough + "/stop?force=true",
          operator, "{\"reason\":\"runaway\"}");
      assertThat(killed.status()).isEqualTo(202);
      assertThat(killed.json().get("status").asText()).isEqualTo("Cancelled");
      assertThat(killed.json().at("/cancellation/mode").asText()).isEqualTo("force");
      assertThat(killed.json().at("/steps/0/status").asText()).isEqualTo("Interrupted");
      assertThat(Processes.withEnv("MARK", mark)).isEmpty();
      assertThat(roughDir.resolve("two")).doesNotExist();
      assertThat(cluster.history(b, rough)).containsExactly("ExecutionCreated",
          "ExecutionStarted", "StepStarted", "StopRequested", "StepInterrupted",
          "ExecutionCancelled");

      // the stream of C carries every event of both, in journal order, nothing twice
      Eventually.await("node C streams both executions to their end", WAIT,
          () -> watchOnC.typesOf(gentle).contains("ExecutionCancelled")
              && watchOnC.typesOf(rough).contains("ExecutionCancelled"));
      assertThat(watchOnC.typesOf(gentle)).isEqualTo(cluster.history(c, gentle));
      assertThat(watchOnC.typesOf(rough)).isEqualTo(cluster.history(c, rough));

      // an ended execution refuses a stop, wherever it is asked
      for (int node : LocalCluster.indexes(3)) {
        assertThat(cluster.stop(node, rough, false, "again").status()).isEqualTo(409);
      }
    }
  }

  /**
   * {@code kill -9} of a node that runs 30 executions (and one being stopped gracefully): with no
   * client touching them, the survivors take over the node's shards, remember-entities restarts
   * its executions there, each re-runs its interrupted step, and all 30 succeed; the stop asked
   * for just before the kill ends its execution Cancelled. Until they end, the test reads only
   * histories (the journal), which wake no execution.
   */
  @Test
  @Order(2)
  void killingTheNodeThatRunsThirtyExecutionsLosesNoneAndHonoursTheStopAskedBeforeIt()
      throws Exception {
    int victim = 1;
    List<Integer> survivors = List.of(0, 2);
    Path gate = dir.resolve("gate");
    cluster.defineJob(0, "long", "{\"steps\":["
        + cluster.shellStep("wait", "while [ ! -e " + gate + " ]; do sleep 1; done") + ","
        + cluster.shellStep("done", "echo done") + "]}");

    // start through the survivors until the victim runs 31: sharding places them, not the test
    List<String> started = new ArrayList<>();
    List<String> placed = new ArrayList<>();
    for (int round = 0; placed.size() < 31; round++) {
      assertThat(round).as("rounds of starts until node1 runs 31").isLessThan(20);
      for (int i = 0; i < 12; i++) {
        started.add(cluster.start(survivors.get(i % 2), "long"));
      }
      Map<String, Integer> hosts = Eventually.await("every execution is placed", WAIT,
          cluster::hosts, h -> h.keySet().containsAll(started));
      placed = started.stream().filter(id -> hosts.get(id) == victim).toList();
    }
    List<String> onVictim = placed;
    String stopped = onVictim.get(30);
    // the 30 (or a few more) that must resume and succeed
    List<String> thirty = onVictim.stream().filter(id -> !id.equals(stopped)).toList();
    List<String> elsewhere = started.stream().filter(id -> !onVictim.contains(id)).toList();

    // a graceful stop, accepted, and at once the node dies
    Answer stopping = cluster.stop(0, stopped, false, "stopped just before the crash");
    assertThat(stopping.status()).isEqualTo(202);
    assertThat(stopping.json().get("status").asText()).isEqualTo("Cancelling");
    long killedAt = System.nanoTime();
    cluster.kill(victim);

    // every execution of the dead node resumes on a survivor: its step's attempt is recorded as
    // interrupted and a new attempt started, with no client poking it
    Map<String, List<String>> resumed = cluster.awaitHistories(
        "the dead node's executions resume on the survivors", thirty,
        h -> h.contains("StepInterrupted") && h.lastIndexOf("StepStarted") > h.indexOf(
            "StepInterrupted"), Duration.ofSeconds(90));
    double failoverSeconds = (System.nanoTime() - killedAt) / 1e9;
    resumed.values().forEach(h -> assertThat(h).containsExactly("ExecutionCreated",
        "ExecutionStarted", "StepStarted", "StepInterrupted", "StepStarted"));
    Map<String, Integer> hosts = cluster.hosts();
    thirty.forEach(id -> assertThat(hosts.get(id)).as(id + " runs on a survivor")
        .isIn(survivors));
    Map<String, List<String>> cancelled = cluster.awaitHistories("the stopped one ends",
        List.of(stopped), h -> LocalCluster.terminalEvents(h) > 0, Duration.ofSeconds(30));
    assertThat(cancelled.get(stopped)).containsExactly("ExecutionCreated", "ExecutionStarted",
        "StepStarted", "StopRequested", "StepInterrupted", "ExecutionCancelled");

    // let the steps finish: every execution, moved or not, succeeds, each with one terminal event
    Files.createFile(gate);
    Map<String, List<String>> ended = cluster.awaitHistories("every execution ends", started,
        h -> LocalCluster.terminalEvents(h) > 0, Duration.ofSeconds(60));
    List<String> lost = new ArrayList<>();
    List<String> twice = new ArrayList<>();
    ended.forEach((id, h) -> {
      if (LocalCluster.terminalEvents(h) > 1) {
        twice.add(id);
      }
    });
    for (String id : started) {
      String expected = id.equals(stopped) ? "Cancelled" : "Success";
      String status = cluster.view(0, id).get("status").asText();
      if (!expected.equals(status)) {
        lost.add(id + " " + status);
      }
    }
    assertThat(lost).as("executions not ended as expected").isEmpty();
    assertThat(twice).as("executions with two terminal events").isEmpty();
    JsonNode stoppedView = cluster.view(2, stopped);
    assertThat(stoppedView.at("/cancellation/mode").asText()).isEqualTo("graceful");
    assertThat(stoppedView.at("/cancellation/reason").asText())
        .isEqualTo("stopped just before the crash");
    System.out.printf("FIGURES failover: kill -9 of node%d running %d executions (+1 stopping);"
            + " resumed %d on the survivors within %.1f s; %d others unaffected; lost %d;"
            + " two terminal events %d; stop honoured: %s%n", victim, thirty.size(),
        resumed.size(), failoverSeconds, elsewhere.size(), lost.size(), twice.size(),
        cluster.view(0, stopped).get("status").asText());
  }

  /**
   * A rolling restart, one node at a time (SIGTERM, wait for the exit, start again, wait until it
   * is ready and all three are Up), under a steady stream of new executions through the nodes
   * that are up: every execution that was accepted (202) ends in Success, exactly once.
   */
  @Test
  @Order(3)
  void aRollingRestartUnderAStreamOfNewExecutionsLosesNone() throws Exception {
    cluster.defineJob(0, "steady", "{\"steps\":["
        + cluster.shellStep("work", "sleep 2") + "," + cluster.shellStep("done", "echo done")
        + "]}");
    List<String> accepted = new CopyOnWriteArrayList<>();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger restarting = new AtomicInteger(-1);
    AtomicBoolean streaming = new AtomicBoolean(true);
    Thread stream = new Thread(() -> {
      int turn = 0;
      while (streaming.get()) {
        int via = turn++ % 3;
        if (via == restarting.get() || !cluster.node(via).running()) {
          continue;
        }
        Answer answer = cluster.send(via, "POST", "/api/jobs/steady/executions", cluster.admin(),
            null);
        if (answer.status() == 202) {
          accepted.add(answer.json().get("id").asText());
        } else {
          refused.incrementAndGet();
        }
        LocalCluster.pause(Duration.ofMillis(150));
      }
    }, "execution-stream");
    stream.setDaemon(true);
    stream.start();
    try {
      for (int node : LocalCluster.indexes(3)) {
        int before = accepted.size();
        Eventually.await("executions keep being accepted", WAIT,
            () -> accepted.size() > before + 5);
        restarting.set(node);
        cluster.stop(node);
        cluster.restart(node);
        cluster.awaitMembers(3);
        restarting.set(-1);
      }
      int before = accepted.size();
      Eventually.await("executions keep being accepted after the restarts", WAIT,
          () -> accepted.size() > before + 5);
    } finally {
      streaming.set(false);
      stream.join(30_000);
    }

    Map<String, String> statuses = cluster.awaitTerminal(List.copyOf(accepted),
        Duration.ofSeconds(90));
    List<String> notSuccess = statuses.entrySet().stream()
        .filter(e -> !"Success".equals(e.getValue())).map(e -> e.getKey() + " " + e.getValue())
        .toList();
    assertThat(notSuccess).as("accepted executions that did not succeed").isEmpty();
    Map<String, List<String>> histories = cluster.awaitHistories("histories are readable",
        List.copyOf(accepted), h -> LocalCluster.terminalEvents(h) > 0, WAIT);
    List<String> twice = histories.entrySet().stream()
        .filter(e -> LocalCluster.terminalEvents(e.getValue()) != 1).map(Map.Entry::getKey)
        .toList();
    assertThat(twice).as("executions without exactly one terminal event").isEmpty();
    long interrupted = histories.values().stream().filter(h -> h.contains("StepInterrupted"))
        .count();
    System.out.printf("FIGURES rolling restart: 3 restarts survived; %d executions accepted,"
            + " %d succeeded, %d lost, %d re-ran an attempt cut short by a leaving node;"
            + " %d starts not accepted (answered other than 202, not counted)%n",
        accepted.size(), statuses.size() - notSuccess.size(), notSuccess.size(), interrupted,
        refused.get());
  }
}
