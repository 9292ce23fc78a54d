package dev.stepwise.engine.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes a shell step started: its root process, the root's own process group (the root is
 * launched through {@code setsid}), and every descendant. Killing it takes all of them, including
 * children that were put in the background and orphaned, and returns only once they are dead.
 *
 * <p>A node can also die without killing anything ({@code kill -9} of its pid or of its whole
 * process group, the OOM killer). So that its steps do not run on while their executions are
 * resumed, each group gets a watchdog: a tiny shell, in a session of its own so that a signal to
 * the node's process group spares it, that reads a pipe only this JVM writes to. The kernel
 * closes the pipe when the JVM dies, however it dies; the watchdog then reads end of file and
 * kills the group at once. Each group also holds a {@link StepLeases lease} until it is dead, so
 * that a node starting again kills whatever a dead node and its watchdog left behind.
 */
final class ProcessTree {

  private static final Path SETSID = findSetsid();
  private static final Duration DEATH_WAIT = Duration.ofSeconds(5);

  private static final Path SHELL = Path.of("/bin/sh");

  private final Process root;
  private final boolean ownGroup;
  private final Process watchdog;
  private final StepLeases leases;
  private final Path lease;

  private ProcessTree(Process root, boolean ownGroup, Process watchdog, StepLeases leases,
      Path lease) {
    this.root = root;
    this.ownGroup = ownGroup;
    this.watchdog = watchdog;
    this.leases = leases;
    this.lease = lease;
  }

  /**
   * Starts {@code builder}'s command as the leader of a new session and process group, and
   * takes a lease on that group in {@code leases}.
   */
  static ProcessTree start(ProcessBuilder builder, StepLeases leases) throws IOException {
    if (SETSID != null) {
      List<String> command = new ArrayList<>(builder.command().size() + 1);
      command.add(SETSID.toString());
      command.addAll(builder.command());
      builder.command(command);
    }
    Process root = builder.start();
    boolean ownGroup = SETSID != null;
    Process watchdog = null;
    Path lease = null;
    if (ownGroup) {
      try {
        watchdog = startWatchdog(root.pid());
        lease = leases.take(root.pid());
      } catch (IOException e) {
        root.destroyForcibly();
        killGroup(root.pid());
        awaitGroupGone(root.pid());
        if (watchdog != null) {
          watchdog.destroyForcibly();
        }
        throw e;
      }
    }
    return new ProcessTree(root, ownGroup, watchdog, leases, lease);
  }

  /**
   * Starts the shell that kills group {@code groupId} once this JVM is gone. It holds the read
   * end of a pipe whose write end stays open in this JVM and is never written to.
   */
  private static Process startWatchdog(long groupId) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(SETSID.toString(), SHELL.toString(), "-c",
        "while read -r _; do :; done; kill -KILL -" + groupId)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().clear();
    return builder.start();
  }

  Process root() {
    return root;
  }

  /**
   * Sends SIGKILL to every process of the tree and waits until none runs. Blocks for as long as
   * the kernel needs; call it only on a dispatcher meant for blocking work.
   */
  void kill() {
    List<ProcessHandle> members = new ArrayList<>();
    root.toHandle().descendants().forEach(members::add);
    members.forEach(ProcessHandle::destroyForcibly);
    root.destroyForcibly();
    if (ownGroup) {
      killGroup(root.pid());
    }
    awaitDeath(members);
    if (ownGroup) {
      awaitGroupGone(root.pid());
    }
    stopWatchdog();
  }

  /**
   * Kills what the root left behind when it ended on its own (background children), and waits
   * until they are dead: the step reports its end only after that.
   */
  void killLeftovers() {
    if (ownGroup) {
      killGroup(root.pid());
      awaitGroupGone(root.pid());
    }
    stopWatchdog();
  }

  /** The orphans are no longer the root's descendants, so the group is found through /proc. */
  private static void awaitGroupGone(long groupId) {
    long deadline = System.nanoTime() + DEATH_WAIT.toNanos();
    try {
      while (groupHasLiveMember(groupId) && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean groupHasLiveMember(long groupId) {
    return ProcStat.all().stream().anyMatch(p -> p.groupId() == groupId && p.running());
  }

  /**
   * Once the group is dead its id may be reused: neither the watchdog nor the lease may outlive
   * it. A group that did not die in time keeps its lease, for the next start to kill.
   */
  private void stopWatchdog() {
    if (watchdog != null) {
      watchdog.destroyForcibly();
    }
    if (lease != null && !groupHasLiveMember(root.pid())) {
      leases.release(lease);
    }
  }

  private void awaitDeath(List<ProcessHandle> members) {
    long deadline = System.nanoTime() + DEATH_WAIT.toNanos();
    try {
      root.waitFor(DEATH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      for (ProcessHandle member : members) {
        while (isRunning(member.pid()) && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A process counts as running until it is gone or a zombie waiting for its reaper. */
  static boolean isRunning(long pid) {
    return ProcStat.of(pid).map(ProcStat::running)
        .orElseGet(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  private static void killGroup(long groupId) {
    try {
      Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + groupId)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      kill.waitFor(DEATH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      // no kill(1) on this machine: the descendants were killed one by one already
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Path findSetsid() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path candidate = Path.of(dir, "setsid");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
