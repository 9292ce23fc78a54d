package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.cluster.LocalCluster.Answer;
import dev.stepwise.cluster.LocalCluster.Kill;
import dev.stepwise.testing.DatabaseKind;
import dev.stepwise.testing.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node is killed with {@code kill -9} right after it acknowledged a write, again and again, and
 * started anew each time on the same database: first on the README's default configuration (no
 * database settings at all: embedded H2 in the data folder), then on PostgreSQL. Half the kills
 * hit the JVM's pid alone, half its whole process group, the way a supervisor or a container
 * runtime kills. Whatever it acknowledged must be there afterwards; every execution ends exactly
 * once; no step runs twice at the same time; and no step process outlives its node by more than
 * {@link #STEP_DEATH_LIMIT}, the bound the README documents.
 */
class CrashMatrixIT {

  /** Kills per database; each kind of acknowledgement gets a sixth of them. */
  static final int KILLS = Integer.getInteger("stepwise.test.crash-kills", 30);
  static final Duration STEP_DEATH_LIMIT = Duration.ofSeconds(2);
  static final Duration END_WAIT = Duration.ofSeconds(240);

  /** The writes a client can be told were done, each followed by a kill in its turn. */
  enum Ack { JOB_PUT, START, GRACEFUL_STOP, FORCE_STOP, RETRY, JOB_DELETE }

  private final List<String> jobsPut = new ArrayList<>();
  private final List<String> jobsDeleted = new ArrayList<>();
  private final List<String> started = new ArrayList<>();
  private final Map<String, String> stopped = new java.util.LinkedHashMap<>();
  private final Map<String, String> retries = new java.util.LinkedHashMap<>();
  private int acknowledged;
  private int stepsAliveAfterLimit;
  private long slowestStepDeathMillis;
  private int stepsRunningAtKills;

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  void nothingAcknowledgedIsLostAndNoStepRunsTwice(DatabaseKind database) throws Exception {
    Random random = new Random(Long.getLong("stepwise.test.seed", System.nanoTime()));
    LocalCluster.Options options = new LocalCluster.Options(database, true);
    try (LocalCluster cluster = LocalCluster.start("crash-matrix-" + database, 1, options)) {
      Path locks = Files.createDirectories(Path.of("target", "crash-matrix-locks",
          cluster.runId()));
      Path twice = locks.resolve("twice");
      for (int kill = 0; kill < KILLS; kill++) {
        Ack ack = Ack.values()[kill % Ack.values().length];
        Kill how = kill % 2 == 0 ? Kill.PROCESS : Kill.GROUP;
        // work in flight at every kill: its steps must die with the node and never run twice
        String background = "bg-" + kill;
        defineJob(cluster, background, locks, "sleep 0.3", "sleep 0.3");
        started.add(cluster.start(0, background));
        acknowledged++;
        boolean done = acknowledge(cluster, ack, kill, locks);
        assertThat(done).as("%s was acknowledged before kill %d", ack, kill).isTrue();
        if (random.nextBoolean()) {
          LocalCluster.pause(Duration.ofMillis(random.nextInt(150)));
        }
        int alive = cluster.stepProcesses().size();
        stepsRunningAtKills += alive;
        cluster.kill(0, how);
        long killedAt = System.nanoTime();
        awaitStepsGone(cluster, killedAt);
        System.out.printf("kill %d (%s, %s): %d step processes were running%n", kill + 1, ack,
            how, alive);
        cluster.restart(0);
      }
      check(cluster, twice, database);
    }
  }

  /** Performs one acknowledged write of kind {@code ack}; false if it was not acknowledged. */
  private boolean acknowledge(LocalCluster cluster, Ack ack, int kill, Path locks) {
    switch (ack) {
      case JOB_PUT -> {
        String job = "put-" + kill;
        Answer answer = cluster.send(0, "PUT", "/api/jobs/" + job, cluster.admin(),
            jobBody(cluster, job, locks, "sleep 0.2"));
        if (answer.status() != 201) {
          return false;
        }
        jobsPut.add(job);
      }
      case START -> {
        String job = "start-" + kill;
        defineJob(cluster, job, locks, "sleep 0.2", "sleep 0.2");
        started.add(cluster.start(0, job));
      }
      case GRACEFUL_STOP, FORCE_STOP -> {
        boolean force = ack == Ack.FORCE_STOP;
        String job = (force ? "force-" : "graceful-") + kill;
        defineJob(cluster, job, locks, "sleep 1", "sleep 1");
        String id = cluster.start(0, job);
        started.add(id);
        awaitRunning(cluster, id);
        String reason = "crash-matrix " + ack + " " + kill;
        Answer answer = cluster.stop(0, id, force, reason);
        if (answer.status() != 202) {
          return false;
        }
        stopped.put(id, reason);
      }
      case RETRY -> {
        String job = "fails-" + kill;
        defineJob(cluster, job, locks, "false");
        String failed = cluster.start(0, job);
        started.add(failed);
        Eventually.await(failed + " failed", Duration.ofSeconds(60),
            () -> cluster.view(0, failed).get("status").asText(),
            status -> status.equals("Failed") || status.equals("DeadLetter"));
        Answer answer = cluster.send(0, "POST", "/api/executions/" + failed + "/retry",
            cluster.admin(), null);
        if (answer.status() != 202) {
          return false;
        }
        retries.put(answer.json().get("id").asText(), failed);
      }
      case JOB_DELETE -> {
        String job = "delete-" + kill;
        defineJob(cluster, job, locks, "sleep 0.2");
        Answer answer = cluster.send(0, "DELETE", "/api/jobs/" + job, cluster.admin(), null);
        if (answer.status() != 204) {
          return false;
        }
        jobsDeleted.add(job);
      }
      default -> throw new IllegalStateException(ack.name());
    }
    acknowledged++;
    return true;
  }

  private void awaitStepsGone(LocalCluster cluster, long killedAt) {
    long deadline = killedAt + STEP_DEATH_LIMIT.toNanos();
    while (!cluster.stepProcesses().isEmpty() && System.nanoTime() < deadline) {
      LocalCluster.pause(Duration.ofMillis(5));
    }
    List<Long> left = cluster.stepProcesses();
    if (left.isEmpty()) {
      slowestStepDeathMillis = Math.max(slowestStepDeathMillis,
          (System.nanoTime() - killedAt) / 1_000_000);
    } else {
      // left alone: if they ran on while the restarted node ran their step again, the steps'
      // own lock folders record it
      stepsAliveAfterLimit += left.size();
      System.out.printf("%d step processes still alive %d ms after the kill%n", left.size(),
          STEP_DEATH_LIMIT.toMillis());
    }
  }

  private static void awaitRunning(LocalCluster cluster, String id) {
    Eventually.await(id + " runs its first step", Duration.ofSeconds(60),
        () -> cluster.view(0, id), view -> "Running".equals(view.get("status").asText())
            && "Running".equals(view.get("steps").get(0).get("status").asText()));
  }

  private void check(LocalCluster cluster, Path twice, DatabaseKind database) throws IOException {
    List<String> lost = new ArrayList<>();
    List<String> endedTwice = new ArrayList<>();
    List<String> all = new ArrayList<>(started);
    all.addAll(retries.keySet());
    List<String> known = new ArrayList<>();
    for (String id : all) {
      Answer answer = cluster.get(0, "/api/executions/" + id + "/history", cluster.admin());
      if (answer.status() == 404) {
        lost.add("start " + id);
      } else {
        known.add(id);
      }
    }
    Map<String, String> statuses = cluster.awaitTerminal(known, END_WAIT);
    for (String id : known) {
      List<String> history = cluster.history(0, id);
      if (!history.get(0).equals("ExecutionCreated")) {
        lost.add("start " + id + " " + history);
      }
      if (LocalCluster.terminalEvents(history) != 1 || !LocalCluster.TERMINAL_EVENTS.contains(
          history.get(history.size() - 1))) {
        endedTwice.add(id + " " + history);
      }
    }
    stopped.forEach((id, reason) -> {
      boolean journaled = false;
      for (JsonNode event : cluster.get(0, "/api/executions/" + id + "/history", cluster.admin())
          .json().get("events")) {
        journaled |= event.get("type").asText().equals("StopRequested")
            && reason.equals(event.path("reason").asText());
      }
      if (!journaled || !"Cancelled".equals(statuses.get(id))) {
        lost.add("stop of " + id + " (" + reason + "), ended " + statuses.get(id));
      }
    });
    retries.forEach((id, of) -> {
      if (!of.equals(cluster.view(0, id).path("retryOf").asText())) {
        lost.add("retry " + id + " of " + of);
      }
    });
    for (String job : jobsPut) {
      if (cluster.get(0, "/api/jobs/" + job, cluster.admin()).status() != 200) {
        lost.add("job " + job);
      }
    }
    for (String job : jobsDeleted) {
      if (cluster.get(0, "/api/jobs/" + job, cluster.admin()).status() != 404) {
        lost.add("deletion of job " + job);
      }
    }
    List<String> ranTwice = Files.exists(twice) ? Files.readAllLines(twice) : List.of();
    System.out.printf("FIGURES crash matrix on %s: %d kill -9 (%d of the pid, %d of the process"
            + " group), %d acknowledged writes tried, %d lost, %d executions not ending exactly"
            + " once, %d steps seen running twice at once, %d step processes alive %d s after"
            + " their node died (%d were running at the kills; the slowest group was gone in %d"
            + " ms)%n",
        database, KILLS, (KILLS + 1) / 2, KILLS / 2, acknowledged, lost.size(),
        endedTwice.size(), ranTwice.size(), stepsAliveAfterLimit, STEP_DEATH_LIMIT.toSeconds(),
        stepsRunningAtKills, slowestStepDeathMillis);
    assertThat(stepsRunningAtKills).as("kills that hit running shell steps").isPositive();
    assertThat(lost).as("acknowledged writes missing after the kills").isEmpty();
    assertThat(endedTwice).as("executions without exactly one, final, terminal event")
        .isEmpty();
    assertThat(ranTwice).as("steps that ran twice at the same time").isEmpty();
    assertThat(stepsAliveAfterLimit).as("step processes alive %s after their node died",
        STEP_DEATH_LIMIT).isZero();
  }

  private static void defineJob(LocalCluster cluster, String job, Path locks,
      String... scripts) {
    cluster.defineJob(0, job, jobBody(cluster, job, locks, scripts));
  }

  /**
   * Steps that notice a second copy of themselves: each holds a lock folder named for its job
   * and step while it runs, with its pid inside; finding the folder held by a live process means
   * two attempts of the same step run at once. (Every execution here runs a job of its own, and
   * a retry starts only after the execution it retries ended.)
   */
  private static String jobBody(LocalCluster cluster, String job, Path locks,
      String... scripts) {
    List<String> steps = new ArrayList<>();
    for (int i = 0; i < scripts.length; i++) {
      String lock = locks.toAbsolutePath() + "/" + job + "-" + i;
      String script = "if ! mkdir " + lock + " 2>/dev/null; then p=$(cat " + lock
          + "/pid 2>/dev/null); if kill -0 $p 2>/dev/null; then echo " + job + " step " + i
          + " >> " + locks.toAbsolutePath() + "/twice; fi; fi; echo $$ > " + lock + "/pid; "
          + scripts[i] + "; s=$?; rm -rf " + lock + "; exit $s";
      steps.add(cluster.shellStep("s" + i, script, job));
    }
    return "{\"steps\":[" + String.join(",", steps) + "]}";
  }
}
