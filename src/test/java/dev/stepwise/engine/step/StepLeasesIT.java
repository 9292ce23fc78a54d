package dev.stepwise.engine.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.stepwise.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starting node kills the step process groups that a dead node left behind (its watchdog
 * killed too), and leaves alone those of a node that still runs.
 */
class StepLeasesIT {

  @TempDir Path data;
  ActorSystem<Void> system;
  Process leftover;

  @BeforeEach
  void start() {
    system = ActorSystem.create(Behaviors.empty(), "leases", ConfigFactory.parseMap(
        Map.of("stepwise.data-dir", data.toString())).withFallback(ConfigFactory.load()));
  }

  @AfterEach
  void stop() {
    if (leftover != null) {
      leftover.destroyForcibly();
    }
    TestNode.terminate(system);
  }

  @Test
  void aGroupWhoseOwnerIsDeadIsKilledBeforeTheNodeGoesOn() throws Exception {
    leftover = stepGroup();
    long deadOwner = deadPid();
    writeLease(deadOwner, leftover.pid());

    int reclaimed = StepLeases.get(system).reclaim();

    assertThat(reclaimed).isEqualTo(1);
    assertThat(ProcStat.groupMembers(leftover.pid(), 0)).as("the group's live processes")
        .isEmpty();
    assertThat(Files.list(StepLeases.folderOf(system))).isEmpty();
  }

  @Test
  void aGroupWhoseOwnerStillRunsIsLeftAlone() throws Exception {
    leftover = stepGroup();
    long self = ProcessHandle.current().pid();
    writeLease(self, leftover.pid());

    assertThat(StepLeases.get(system).reclaim()).isZero();
    assertThat(leftover.isAlive()).isTrue();
    assertThat(Files.list(StepLeases.folderOf(system))).hasSize(1);
  }

  /** A shell step's group as the node makes it: a session of its own, with a child. */
  private static Process stepGroup() throws Exception {
    return new ProcessBuilder("setsid", "bash", "-c", "sleep 300 & sleep 300").start();
  }

  private static long deadPid() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return gone.pid();
  }

  private void writeLease(long owner, long group) throws Exception {
    Path folder = Files.createDirectories(StepLeases.folderOf(system));
    long ownerStart = ProcStat.of(owner).map(ProcStat::startTicks).orElse(1L);
    long groupStart = ProcStat.of(group).orElseThrow().startTicks();
    Files.writeString(folder.resolve(group + "-" + owner + ".lease"), new StepLeases.Lease(
        ProcStat.bootId(), owner, ownerStart, group, groupStart).line());
  }
}
