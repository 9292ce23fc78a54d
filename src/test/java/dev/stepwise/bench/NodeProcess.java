package dev.stepwise.bench;

import dev.stepwise.testing.FreePort;
import dev.stepwise.http.BearerTokens;
import dev.stepwise.http.HttpSettings;
import dev.stepwise.http.Main;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A Stepwise node as a JVM of its own, started the way a supervisor starts one: {@code Main}
 * configured by {@code STEPWISE_*} variables, leading a session and process group of its own
 * (through {@code setsid}), so that {@code kill -9} of the group is a real crash and spares the
 * benchmark. Its output goes to a log file, restarts appended. Ports and data directory stay
 * the same across restarts.
 */
final class NodeProcess implements AutoCloseable {

  /** An HTTP answer; {@code status} is -1 when the node did not answer at all. */
  record Answer(int status, String body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final String secret = UUID.randomUUID() + "-" + UUID.randomUUID();
  private final Map<String, String> database;
  private final List<String> jvmOptions;
  private final Path dataDir;
  private final Path log;
  private final int httpPort;
  private final int clusterPort;
  private final String token;
  private final ExecutorService callbacks = Executors.newFixedThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "bench-node-http");
    thread.setDaemon(true);
    return thread;
  });
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .executor(callbacks)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private volatile Process process;

  /**
   * @param database {@code STEPWISE_DB_URL/USER/PASSWORD}, or empty for the default database
   *     (H2 under the data directory)
   * @param jvmOptions more options for the node's JVM (a JFR recording, say)
   */
  NodeProcess(Path workDir, Map<String, String> database, List<String> jvmOptions) {
    this.database = Map.copyOf(database);
    this.jvmOptions = List.copyOf(jvmOptions);
    try {
      this.dataDir = Files.createDirectories(workDir.resolve("data"));
      this.log = workDir.resolve("node.log");
      this.httpPort = freePort();
      this.clusterPort = freePort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the node's directory and ports", e);
    }
    this.token = BearerTokens.from(new HttpSettings.JwtSettings(secret, null,
        Duration.ofHours(1), Duration.ofSeconds(30))).issue("bench", List.of("admin"),
        Duration.ofHours(12));
  }

  Path log() {
    return log;
  }

  /** Starts the node's JVM and returns at once; {@link #awaitReady} waits for it. */
  void launch() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the node still runs");
    }
    List<String> command = new ArrayList<>(List.of("setsid",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        // the shipped logging (the test classpath's logback-test.xml would win otherwise)
        "-Dlogback.configurationFile=logback.xml"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath(), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("STEPWISE_"));
    env.put("STEPWISE_HTTP_HOST", "127.0.0.1");
    env.put("STEPWISE_HTTP_PORT", Integer.toString(httpPort));
    env.put("STEPWISE_CLUSTER_HOST", "127.0.0.1");
    env.put("STEPWISE_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("STEPWISE_DATA_DIR", dataDir.toString());
    env.put("STEPWISE_JWT_SECRET", secret);
    env.putAll(database);
    try {
      Files.writeString(log, "---- starting the node: " + String.join(" ", command) + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the node", e);
    }
  }

  /** Polls {@code /health/ready} every 20 ms until it answers 200. */
  void awaitReady(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the node exited with " + process.exitValue()
            + " before it was ready; see " + log);
      }
      if (send("GET", "/health/ready", null, Duration.ofSeconds(5)).status() == 200) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the node was not ready within " + within.toSeconds()
        + " s; see " + log);
  }

  /**
   * {@code kill -9 -<pgid>}: the node's whole process group, as a container runtime kills it,
   * and waits until its JVM is gone.
   */
  void killGroup() throws InterruptedException {
    Process node = process;
    if (node == null || !node.isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + node.pid())
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -KILL -" + node.pid() + " failed: "
            + new String(kill.getInputStream().readAllBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!node.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the node did not exit within 30 s of kill -9");
    }
  }

  Answer send(String method, String path, String body, Duration timeout) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> response = client.send(request.build(),
          HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * The classpath this benchmark runs on, for the node's JVM: under Maven's {@code exec:java}
   * the benchmark's classes come from a class loader of the plugin's, and
   * {@code java.class.path} names Maven's own launcher; under Failsafe, its property says it.
   */
  private static String classPath() {
    String tests = System.getProperty("surefire.test.class.path");
    if (tests != null) {
      return tests;
    }
    if (NodeProcess.class.getClassLoader() instanceof URLClassLoader loader) {
      List<String> entries = new ArrayList<>();
      for (URL url : loader.getURLs()) {
        try {
          entries.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException e) {
          throw new IllegalStateException("not a file: " + url, e);
        }
      }
      if (!entries.isEmpty()) {
        return String.join(File.pathSeparator, entries);
      }
    }
    return System.getProperty("java.class.path");
  }

  private static int freePort() throws IOException {
    return FreePort.next();
  }

  /**
   * Ends the node with {@code kill -9} of its group; its executions are the benchmark's, left to
   * end with it. When its options ask for a JFR recording, SIGTERM comes first, so that its JVM
   * runs its shutdown hooks and writes the recording (a graceful leave takes seconds more).
   */
  @Override
  public void close() throws InterruptedException {
    Process node = process;
    boolean recording = jvmOptions.stream().anyMatch(option -> option.contains("FlightRecording"));
    if (recording && node != null && node.isAlive()) {
      node.destroy();
      node.waitFor(30, TimeUnit.SECONDS);
    }
    killGroup();
    callbacks.shutdownNow();
  }
}
