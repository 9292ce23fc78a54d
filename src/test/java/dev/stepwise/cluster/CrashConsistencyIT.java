package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.cluster.LocalCluster.Answer;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Processes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A node is killed with {@code kill -9} at random points of a stream of start and stop commands,
 * again and again, and started anew each time on the same database: kills that land while
 * requests are in flight, where {@link CrashMatrixIT} kills right after an answer. Whatever it
 * answered 202 must be in the journal; every execution must end exactly once; and the shell steps
 * it ran must not outlive it by more than {@link #STEP_DEATH_LIMIT}, the bound
 * docs/operations.md documents.
 */
class CrashConsistencyIT {

  static final int KILLS = 8;
  /** Documented: a dead node's step processes are gone within this (typically a few ms). */
  static final Duration STEP_DEATH_LIMIT = Duration.ofSeconds(2);
  static final Duration END_WAIT = Duration.ofSeconds(180);

  record AcceptedStop(String id, boolean force, String reason) {}

  @Test
  void everyAcceptedCommandSurvivesKillsMidStreamAndEveryExecutionEndsOnce() throws Exception {
    Random random = new Random(Long.getLong("stepwise.test.seed", System.nanoTime()));
    try (LocalCluster cluster = LocalCluster.start("crash", 1)) {
      cluster.defineJob(0, "churn", "{\"steps\":["
          + cluster.shellStep("one", "sleep 0.4") + ","
          + cluster.shellStep("two", "sleep 0.4") + ","
          + cluster.shellStep("three", "sleep 0.4") + "]}");
      List<String> started = new CopyOnWriteArrayList<>();
      List<AcceptedStop> stops = new CopyOnWriteArrayList<>();
      AtomicInteger sent = new AtomicInteger();
      List<Long> stepDeathMillis = new ArrayList<>();
      int stepsAliveAtKill = 0;

      for (int kill = 1; kill <= KILLS; kill++) {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread commands = new Thread(() -> sendCommands(cluster, random, running, started, stops,
            sent), "commands");
        commands.start();
        LocalCluster.pause(Duration.ofMillis(300 + random.nextInt(1500)));
        List<Long> alive = Processes.withEnv(LocalCluster.STEP_MARKER, cluster.runId());
        stepsAliveAtKill += alive.size();
        cluster.kill(0);
        long killedAt = System.nanoTime();
        running.set(false);
        commands.join();
        Eventually.await("the killed node's step processes are gone", STEP_DEATH_LIMIT,
            () -> Processes.withEnv(LocalCluster.STEP_MARKER, cluster.runId()).isEmpty());
        stepDeathMillis.add((System.nanoTime() - killedAt) / 1_000_000);
        System.out.printf("kill %d: %d starts and %d stops accepted so far, %d step processes"
            + " killed with the node%n", kill, started.size(), stops.size(), alive.size());
        cluster.restart(0);
      }

      Map<String, String> statuses = cluster.awaitTerminal(started, END_WAIT);
      List<String> lost = new ArrayList<>();
      List<String> twice = new ArrayList<>();
      for (String id : started) {
        List<String> history = cluster.history(0, id);
        if (history.isEmpty() || !history.get(0).equals("ExecutionCreated")) {
          lost.add(id);
        }
        long terminal = LocalCluster.terminalEvents(history);
        if (terminal != 1 || !LocalCluster.TERMINAL_EVENTS.contains(
            history.get(history.size() - 1))) {
          twice.add(id + " " + history);
        }
      }
      List<String> stopsMissing = new ArrayList<>();
      for (AcceptedStop stop : stops) {
        Answer answer = cluster.get(0, "/api/executions/" + stop.id() + "/history",
            cluster.admin());
        boolean journaled = false;
        for (JsonNode event : answer.json().get("events")) {
          if (event.get("type").asText().equals("StopRequested")
              && stop.reason().equals(event.path("reason").asText())) {
            journaled = true;
          }
        }
        if (!journaled || !"Cancelled".equals(statuses.get(stop.id()))) {
          stopsMissing.add(stop + " ended " + statuses.get(stop.id()));
        }
      }
      long slowest = stepDeathMillis.stream().mapToLong(Long::longValue).max().orElse(0);
      System.out.printf("FIGURES crash consistency: %d commands sent, %d kill -9 survived,"
              + " %d starts and %d stops answered 202, %d executions lost, %d not ending exactly"
              + " once, %d accepted stops not honoured; %d step processes were running at the"
              + " kills, the slowest group was gone %d ms after its node%n",
          sent.get(), KILLS, started.size(), stops.size(), lost.size(), twice.size(),
          stopsMissing.size(), stepsAliveAtKill, slowest);
      assertThat(started).as("starts accepted").hasSizeGreaterThan(KILLS);
      assertThat(stops).as("stops accepted").isNotEmpty();
      assertThat(stepsAliveAtKill).as("kills that hit running shell steps").isPositive();
      assertThat(lost).as("accepted starts missing from the journal").isEmpty();
      assertThat(twice).as("executions without exactly one, final, terminal event").isEmpty();
      assertThat(stopsMissing).as("accepted stops not journaled or not ended Cancelled")
          .isEmpty();
    }
  }

  /**
   * Starts executions and stops some of the recent ones (each at most once), as fast as the node
   * answers, until told to end. Only 202s are remembered: anything else was not acknowledged.
   */
  private static void sendCommands(LocalCluster cluster, Random random, AtomicBoolean running,
      List<String> started, List<AcceptedStop> stops, AtomicInteger sent) {
    while (running.get()) {
      sent.incrementAndGet();
      if (started.size() < 3 || random.nextInt(3) > 0) {
        Answer answer = cluster.send(0, "POST", "/api/jobs/churn/executions", cluster.admin(),
            null);
        if (answer.status() == 202) {
          started.add(answer.json().get("id").asText());
        }
      } else {
        String id = started.get(started.size() - 1 - random.nextInt(Math.min(5,
            started.size())));
        if (stops.stream().anyMatch(stop -> stop.id().equals(id))) {
          continue; // a second stop is answered from the state, with nothing new to journal
        }
        boolean force = random.nextBoolean();
        String reason = "stop-" + sent.get();
        Answer answer = cluster.stop(0, id, force, reason);
        if (answer.status() == 202) {
          stops.add(new AcceptedStop(id, force, reason));
        }
      }
    }
  }
}
