package dev.stepwise.engine.step;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Where shell steps write their output: one file per attempt under the node's data folder,
 * {@code <data-dir>/step-output/<execution>/<step index>-<attempt>.log}, written by the process
 * itself (so it keeps growing, and survives, even when this JVM dies), and an {@code .ended}
 * marker beside it once the attempt ended. Output never goes to the journal in bulk; only the
 * last few KiB travel in the step's event.
 *
 * <p>An attempt keeps at most {@code stepwise.step-output.max-bytes-per-attempt}: when it ends
 * with more, its first and last halves are kept with a line saying how much was left out.
 */
public final class StepOutputs implements Extension {

  /** One attempt's output file, whether the attempt ended, and whether its middle was cut. */
  public record Attempt(Path file, long size, boolean ended, boolean truncated) {}

  public static final ExtensionId<StepOutputs> ID = new ExtensionId<>() {
    @Override
    public StepOutputs createExtension(ActorSystem<?> system) {
      return new StepOutputs(Settings.from(system.settings().config()));
    }
  };

  /** Read once from {@code stepwise.data-dir} and {@code stepwise.step-output}. */
  public record Settings(Path folder, long maxBytesPerAttempt) {
    /** The defaults are application.conf's, for actor systems built without it (tests). */
    static Settings from(Config config) {
      String dataDir = config.hasPath("stepwise.data-dir")
          ? config.getString("stepwise.data-dir") : "./data";
      long max = config.hasPath("stepwise.step-output.max-bytes-per-attempt")
          ? config.getBytes("stepwise.step-output.max-bytes-per-attempt") : 10L * 1024 * 1024;
      return new Settings(Path.of(dataDir, "step-output"), max);
    }
  }

  private static final String ENDED = ".ended";
  private static final String TRUNCATED = "truncated";

  private final Settings settings;

  StepOutputs(Settings settings) {
    if (settings.maxBytesPerAttempt() < 1024) {
      throw new IllegalArgumentException(
          "stepwise.step-output.max-bytes-per-attempt: at least 1 KiB");
    }
    this.settings = settings;
  }

  public static StepOutputs get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public Settings settings() {
    return settings;
  }

  /** The file a new attempt writes to, its folder made; an older file of the same name goes. */
  Path create(String executionId, int index, int attempt) throws IOException {
    Path file = file(executionId, index, attempt);
    Files.createDirectories(file.getParent());
    Files.deleteIfExists(marker(file));
    Files.deleteIfExists(file);
    return Files.createFile(file);
  }

  /**
   * Called once the attempt's processes are dead: cuts an output that is too long and marks the
   * attempt ended, so that followers stop and readers know it is whole.
   */
  void ended(Path file, String note) {
    try {
      boolean truncated = Files.size(file) > settings.maxBytesPerAttempt() && cut(file);
      if (note != null) {
        Files.writeString(file, note, StandardOpenOption.APPEND);
      }
      Files.writeString(marker(file), truncated ? TRUNCATED : "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish the output file " + file, e);
    }
  }

  /** The output of one attempt, when this node has it. */
  public Optional<Attempt> find(String executionId, int index, int attempt) {
    Path file = file(executionId, index, attempt);
    try {
      long size = Files.size(file);
      Path marker = marker(file);
      boolean ended = Files.exists(marker);
      boolean truncated = ended && TRUNCATED.equals(Files.readString(marker).trim());
      return Optional.of(new Attempt(file, size, ended, truncated));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Path file(String executionId, int index, int attempt) {
    // ids are UUIDs and the numbers are numbers, checked by the caller: never a path of its own
    return settings.folder().resolve(executionId).resolve(index + "-" + attempt + ".log");
  }

  private static Path marker(Path file) {
    return file.resolveSibling(file.getFileName() + ENDED);
  }

  /** Keeps the first and last halves of the limit, and a line between them saying what went. */
  private boolean cut(Path file) throws IOException {
    long size = Files.size(file);
    long half = settings.maxBytesPerAttempt() / 2;
    Path kept = file.resolveSibling(file.getFileName() + ".cut");
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
         OutputStream out = Files.newOutputStream(kept)) {
      copy(in, 0, half, out);
      out.write(("\n[… " + (size - 2 * half) + " bytes left out: an attempt keeps "
          + settings.maxBytesPerAttempt() + " bytes of output …]\n")
          .getBytes(StandardCharsets.UTF_8));
      copy(in, size - half, half, out);
    }
    Files.move(kept, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  /** Positional reads: the channel stays open for the second half. */
  private static void copy(FileChannel in, long from, long count, OutputStream out)
      throws IOException {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64 * 1024);
    long at = from;
    long end = from + count;
    while (at < end) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
      int n = in.read(buffer, at);
      if (n < 0) {
        return;
      }
      out.write(buffer.array(), 0, n);
      at += n;
    }
  }
}
