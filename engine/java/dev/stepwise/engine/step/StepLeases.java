package dev.stepwise.engine.step;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file per running shell step under the node's data folder, naming the step's process group
 * and the node process that owns it. Each group also has a watchdog that kills it when its node
 * dies; the leases are the second line: a node that starts kills every group whose owner is dead
 * and waits until it is gone, before any execution can resume and start the step again. So a
 * step never runs twice at once on one machine, even when the watchdog was killed too.
 */
public final class StepLeases implements Extension {

  private static final Logger LOG = LoggerFactory.getLogger(StepLeases.class);
  private static final Duration DEATH_WAIT = Duration.ofSeconds(10);
  private static final String SUFFIX = ".lease";

  private static final ExtensionId<StepLeases> ID = new ExtensionId<>() {
    @Override
    public StepLeases createExtension(ActorSystem<?> system) {
      return new StepLeases(folderOf(system));
    }
  };

  /** One lease: whose group, started when, owned by which node process of which boot. */
  record Lease(String bootId, long ownerPid, long ownerStartTicks, long groupId,
      long groupStartTicks) {

    String line() {
      return bootId + " " + ownerPid + " " + ownerStartTicks + " " + groupId + " "
          + groupStartTicks + "\n";
    }

    static Optional<Lease> parse(String text) {
      String[] f = text.strip().split(" ");
      try {
        return Optional.of(new Lease(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]),
            Long.parseLong(f[3]), Long.parseLong(f[4])));
      } catch (RuntimeException e) {
        return Optional.empty(); // torn write of a node that died while writing it
      }
    }

    boolean ownerAlive() {
      return ProcStat.of(ownerPid).filter(ProcStat::running)
          .map(p -> p.startTicks() == ownerStartTicks).orElse(false);
    }
  }

  private final Path folder;
  private final Lease self;

  private StepLeases(Path folder) {
    this.folder = folder;
    long pid = ProcessHandle.current().pid();
    this.self = new Lease(ProcStat.bootId(), pid,
        ProcStat.of(pid).map(ProcStat::startTicks).orElse(0L), 0, 0);
  }

  public static StepLeases get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  static Path folderOf(ActorSystem<?> system) {
    return Path.of(system.settings().config().getString("stepwise.data-dir"), "step-leases");
  }

  /** Records that this node owns group {@code groupId}; the file is the lease. */
  Path take(long groupId) throws IOException {
    Files.createDirectories(folder);
    long started = ProcStat.of(groupId).map(ProcStat::startTicks).orElse(0L);
    Lease lease = new Lease(self.bootId(), self.ownerPid(), self.ownerStartTicks(), groupId,
        started);
    Path file = folder.resolve(groupId + "-" + self.ownerPid() + SUFFIX);
    Path partial = folder.resolve(file.getFileName() + ".partial");
    Files.writeString(partial, lease.line());
    try {
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  /** The group is dead: nothing to reclaim any more. */
  void release(Path lease) {
    try {
      Files.deleteIfExists(lease);
    } catch (IOException e) {
      LOG.warn("could not remove step lease {}: {}; the next start removes it", lease,
          e.getMessage());
    }
  }

  /**
   * Kills the step process groups that nodes now dead left behind, waits until they are gone and
   * removes their leases. Returns how many groups still had live processes.
   */
  public int reclaim() {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    int killed = 0;
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.toList()) {
        killed += reclaim(file) ? 1 : 0;
      }
    } catch (IOException e) {
      LOG.warn("could not read step leases in {}: {}", folder, e.getMessage());
    }
    return killed;
  }

  private boolean reclaim(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".partial")) {
      Files.deleteIfExists(file); // its step had not started when its node died
      return false;
    }
    if (!name.endsWith(SUFFIX)) {
      return false;
    }
    Optional<Lease> lease = Lease.parse(Files.readString(file));
    if (lease.isPresent() && lease.get().ownerAlive()) {
      return false; // another node on this machine, sharing the data folder, still runs it
    }
    boolean hadLive = lease.isPresent() && lease.get().bootId().equals(self.bootId())
        && killAndWait(lease.get());
    Files.deleteIfExists(file);
    return hadLive;
  }

  private static boolean killAndWait(Lease lease) {
    List<ProcStat> members = ProcStat.groupMembers(lease.groupId(), lease.groupStartTicks());
    if (members.isEmpty()) {
      return false;
    }
    LOG.warn("step process group {} of dead node process {} still runs ({} processes); killing "
        + "it before executions resume", lease.groupId(), lease.ownerPid(), members.size());
    long deadline = System.nanoTime() + DEATH_WAIT.toNanos();
    while (!members.isEmpty() && System.nanoTime() < deadline) {
      members.forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
      pause();
      members = ProcStat.groupMembers(lease.groupId(), lease.groupStartTicks());
    }
    if (!members.isEmpty()) {
      throw new IllegalStateException("step process group " + lease.groupId() + " left by a dead "
          + "node still runs after " + DEATH_WAIT.toSeconds() + " s of SIGKILL; a process in "
          + "uninterruptible sleep (state D) cannot die until its I/O ends. Kill it by hand "
          + "(kill -KILL -" + lease.groupId() + ") and start the node again");
    }
    return true;
  }

  private static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
