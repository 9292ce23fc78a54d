package dev.stepwise.release;

import dev.stepwise.testing.FreePort;
import dev.stepwise.testing.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The release tarball that {@code mvn package} built, unpacked into a folder of the test's, with
 * helpers to run its {@code bin/stepwise}: so tests start nodes and the client from the artifact
 * a user gets, not from Maven's classpath.
 */
final class ReleaseArtifact {

  final Path home;

  private ReleaseArtifact(Path home) {
    this.home = home;
  }

  /** The built tarball; the package phase, which runs before the integration tests, makes it. */
  static Path tarball() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(f -> f.getFileName().toString().matches("stepwise-.*\\.tar\\.gz"))
          .findFirst().orElseThrow(() -> new AssertionError("no target/stepwise-*.tar.gz: "
              + "run the integration tests through `mvn verify`, whose package phase builds it"));
    }
  }

  static ReleaseArtifact unpack(Path into) throws Exception {
    Process tar = new ProcessBuilder("tar", "xzf", tarball().toAbsolutePath().toString(),
        "-C", into.toString()).inheritIO().start();
    if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
      throw new AssertionError("tar could not unpack " + tarball());
    }
    try (Stream<Path> dirs = Files.list(into)) {
      Path home = dirs.filter(d -> d.getFileName().toString().startsWith("stepwise-"))
          .findFirst().orElseThrow(() -> new AssertionError("no stepwise-<version>/ inside"));
      return new ReleaseArtifact(home);
    }
  }

  Path launcher() {
    return home.resolve("bin").resolve("stepwise");
  }

  /** A process of {@code bin/stepwise args}, with no STEPWISE_* of the test's own environment. */
  ProcessBuilder command(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(launcher().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("STEPWISE_"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(env);
    return builder;
  }

  /** Output and exit code of a command that ends. */
  record Run(int exitCode, String output) {}

  Run run(Map<String, String> env, String... args) throws Exception {
    Process process = command(env, args).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("stepwise " + String.join(" ", args) + " did not end: " + output);
    }
    return new Run(process.exitValue(), output);
  }

  /** A long-running command whose output lines are collected as they come. */
  static final class Running implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Running(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the process ended
        }
      }, "release-output");
      reader.setDaemon(true);
      reader.start();
    }

    String awaitLine(String prefix, Duration within) {
      return Eventually.await("a line starting '" + prefix + "'", within, () -> {
        if (!process.isAlive() && lines.stream().noneMatch(l -> l.startsWith(prefix))) {
          throw new AssertionError("exited with " + process.exitValue() + ":\n"
              + String.join("\n", lines));
        }
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
      }, line -> line != null);
    }

    /** SIGTERM, then waits; true when it ended in time. */
    boolean stop(Duration within) throws InterruptedException {
      process.destroy();
      boolean ended = process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        process.destroyForcibly();
      }
      return ended;
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        stop(Duration.ofSeconds(30));
      }
    }
  }

  Running start(Map<String, String> env, String... args) throws IOException {
    return new Running(command(env, args).start());
  }

  static int freePort() throws IOException {
    return FreePort.next();
  }
}
