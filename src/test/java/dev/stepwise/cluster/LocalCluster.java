package dev.stepwise.cluster;

import dev.stepwise.testing.FreePort;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.http.BearerTokens;
import dev.stepwise.http.HttpSettings;
import dev.stepwise.http.Json;
import dev.stepwise.http.Main;
import dev.stepwise.testing.DatabaseKind;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Processes;
import dev.stepwise.testing.TestClient;
import dev.stepwise.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A cluster of real Stepwise nodes on loopback: each node is {@code Main} in a JVM of its own,
 * all journaling to one fresh PostgreSQL database, all listing every node as a seed. The test
 * drives it over HTTP, kills nodes ({@code kill -9}) or stops them (SIGTERM, a graceful leave),
 * and starts them again. Every process it started is ended on {@link #close()}, and by a shutdown
 * hook should the test JVM end first. Each node's output goes to
 * {@code target/cluster-logs/<name>-node<i>.log}, restarts appended.
 */
final class LocalCluster implements AutoCloseable {

  static final String SECRET = "cluster-test-secret-cluster-test-secret-0123456789";
  /** Shell steps of the tests' jobs carry this variable, so leftovers can be found and killed. */
  static final String STEP_MARKER = "CLUSTER_TEST_RUN";
  static final Duration START_WAIT = Duration.ofSeconds(120);
  static final Set<String> TERMINAL =
      Set.of("Success", "Failed", "Timeout", "DeadLetter", "Cancelled");

  /** One node: its ports never change, its process does on each restart. */
  static final class Node {
    final int index;
    final int httpPort;
    final int clusterPort;
    final Path log;
    final Path dataDir;
    volatile Process process;

    Node(int index, int httpPort, int clusterPort, Path log, Path dataDir) {
      this.index = index;
      this.httpPort = httpPort;
      this.clusterPort = clusterPort;
      this.log = log;
      this.dataDir = dataDir;
    }

    String address() {
      return "pekko://stepwise@127.0.0.1:" + clusterPort;
    }

    boolean running() {
      return process != null && process.isAlive();
    }

    @Override
    public String toString() {
      return "node" + index + "(" + address() + ", http " + httpPort + ")";
    }
  }

  /** An HTTP answer; {@code status} is -1 when the node did not answer at all. */
  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /**
   * How the nodes run.
   *
   * @param productionFailover the shipped failure detector and split-brain settings; without it
   *     nodes are downed after 4 s of stable unreachability and tolerate 6 s heartbeat pauses, so
   *     that failover tests are quick on a loaded machine
   */
  record Options(DatabaseKind database, boolean productionFailover) {
    static Options quick() {
      return new Options(DatabaseKind.POSTGRES, false);
    }
  }

  /** How a node is killed: its JVM's pid alone, or its whole process group, as supervisors do. */
  enum Kill { PROCESS, GROUP }

  private final String name;
  private final String runId = UUID.randomUUID().toString();
  private final Options options;
  private final TestDatabase.Credentials database;
  private final List<Node> nodes = new ArrayList<>();
  private final BearerTokens tokens = BearerTokens.from(new HttpSettings.JwtSettings(
      SECRET, null, Duration.ofHours(1), Duration.ofSeconds(30)));
  private final String admin = tokens.issue("ada", List.of("admin"), Duration.ofHours(2));
  private final TestClient client = new TestClient(HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build(), Duration.ofSeconds(20));
  private final Thread cleanupHook = new Thread(this::destroyAll, "local-cluster-cleanup");

  /** Starts {@code size} nodes and waits until each is ready and sees all of them Up. */
  static LocalCluster start(String name, int size) {
    return start(name, size, Options.quick());
  }

  static LocalCluster start(String name, int size, Options options) {
    LocalCluster cluster = new LocalCluster(name, size, options);
    try {
      cluster.nodes.forEach(cluster::launch);
      cluster.nodes.forEach(cluster::awaitReady);
      cluster.awaitMembers(size);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private LocalCluster(String name, int size, Options options) {
    if (options.database() == DatabaseKind.H2_DEFAULT && size != 1) {
      throw new IllegalArgumentException("H2 is one node's database");
    }
    this.name = name;
    this.options = options;
    this.database = options.database() == DatabaseKind.POSTGRES ? TestDatabase.fresh() : null;
    Runtime.getRuntime().addShutdownHook(cleanupHook);
    try {
      Path logs = Files.createDirectories(Path.of("target", "cluster-logs"));
      for (int i = 0; i < size; i++) {
        Path log = logs.resolve(name + "-node" + i + ".log");
        Files.deleteIfExists(log);
        Path data = Path.of("target", "cluster-data", name + "-" + runId, "node" + i);
        nodes.add(new Node(i, freePort(), freePort(), log, Files.createDirectories(data)));
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not prepare the cluster's ports and logs", e);
    }
  }

  static int freePort() throws IOException {
    return FreePort.next();
  }

  List<Node> nodes() {
    return nodes;
  }

  Node node(int index) {
    return nodes.get(index);
  }

  String runId() {
    return runId;
  }

  String token(String subject, String... roles) {
    return tokens.issue(subject, List.of(roles), Duration.ofHours(1));
  }

  String admin() {
    return admin;
  }

  // ---------------------------------------------------------------- processes

  /**
   * Starts the node's JVM, the way docs/operations.md's seed-list cluster starts one, with test
   * ports. It leads a process group of its own (through {@code setsid}), as a node under a
   * supervisor does, so that the group can be killed without killing the test.
   */
  private void launch(Node node) {
    String seeds = nodes.stream().map(Node::address).collect(Collectors.joining(","));
    List<String> command = new ArrayList<>(List.of("setsid",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // small, quick-starting JVMs: three of them share two cores with the test
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        // on a shared, overloaded machine a starved JVM must not fail to start its logger
        // (5 s by default)
        "-Dpekko.logger-startup-timeout=30s"));
    if (!options.productionFailover()) {
      // nor be taken for dead after 3 s without a heartbeat
      command.add("-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=6s");
    }
    command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log.toFile()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("STEPWISE_"));
    env.put("STEPWISE_HTTP_HOST", "127.0.0.1");
    env.put("STEPWISE_HTTP_PORT", Integer.toString(node.httpPort));
    env.put("STEPWISE_CLUSTER_HOST", "127.0.0.1");
    env.put("STEPWISE_CLUSTER_PORT", Integer.toString(node.clusterPort));
    env.put("STEPWISE_DATA_DIR", node.dataDir.toString());
    if (database != null) {
      env.put("STEPWISE_SEED_NODES", seeds);
      env.put("STEPWISE_DB_URL", database.url());
      env.put("STEPWISE_DB_USER", database.user());
      env.put("STEPWISE_DB_PASSWORD", database.password());
    }
    env.put("STEPWISE_JWT_SECRET", SECRET);
    env.put("STEPWISE_HTTP_SSE_HEARTBEAT", "1s");
    if (!options.productionFailover()) {
      // failover within seconds rather than after the production default
      env.put("STEPWISE_CLUSTER_STABLE_AFTER", "4s");
    }
    try {
      Files.writeString(node.log, "---- starting " + node + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      node.process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + node, e);
    }
  }

  /** Starts a node that was stopped or killed, and waits until it is ready. */
  void restart(int index) {
    Node node = node(index);
    if (node.running()) {
      throw new IllegalStateException(node + " still runs");
    }
    launch(node);
    awaitReady(node);
  }

  /** {@code kill -9}: the node gets no chance to leave or hand anything over. */
  void kill(int index) {
    kill(index, Kill.PROCESS);
  }

  /** {@code kill -9 <pid>}, or {@code kill -9 -<pgid>} for the node's whole process group. */
  void kill(int index, Kill how) {
    Process process = node(index).process;
    if (how == Kill.PROCESS) {
      process.destroyForcibly();
    } else {
      try {
        Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid())
            .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
          throw new AssertionError("kill -KILL -" + process.pid() + " failed: "
              + new String(kill.getInputStream().readAllBytes()));
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    awaitExit(node(index), Duration.ofSeconds(20));
  }

  /**
   * SIGTERM: coordinated shutdown leaves the cluster and hands the node's shards over. Checks
   * the node's log for the end of a graceful leave, so that a node that merely died (and was
   * downed by the others) does not pass for one that left.
   */
  void stop(int index) {
    Node node = node(index);
    node.process.destroy();
    awaitExit(node, Duration.ofSeconds(60));
    try {
      String log = Files.readString(node.log);
      String lastRun = log.substring(log.lastIndexOf("---- starting "));
      if (!lastRun.contains("Exiting completed")) {
        throw new AssertionError(node + " did not leave the cluster gracefully; see " + node.log);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot read " + node.log, e);
    }
  }

  private void awaitExit(Node node, Duration within) {
    try {
      if (!node.process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(node + " did not exit within " + within.toSeconds() + " s; "
            + "see " + node.log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  void awaitReady(Node node) {
    Eventually.await(node + " is ready (see " + node.log + ")", START_WAIT, () -> {
      if (!node.running()) {
        throw new AssertionError(node + " exited with " + node.process.exitValue()
            + " before it was ready; see " + node.log);
      }
      return get(node.index, "/health/ready", null).status() == 200;
    });
  }

  /** Waits until every running node sees exactly {@code size} members, all Up and reachable. */
  void awaitMembers(int size) {
    for (Node node : nodes) {
      if (!node.running()) {
        continue;
      }
      Eventually.await(node + " sees " + size + " Up members", START_WAIT,
          () -> get(node.index, "/api/cluster", admin), answer -> {
            if (answer.status() != 200) {
              return false;
            }
            JsonNode members = answer.json().get("members");
            if (members.size() != size) {
              return false;
            }
            for (JsonNode member : members) {
              if (!"Up".equals(member.get("status").asText())
                  || !member.get("reachable").asBoolean()) {
                return false;
              }
            }
            return true;
          });
    }
  }

  // ---------------------------------------------------------------- HTTP

  Answer send(int index, String method, String path, String token, String body) {
    try {
      HttpResponse<String> response = client.send(uri(index, path), method, token, body);
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  URI uri(int index, String path) {
    return URI.create("http://127.0.0.1:" + node(index).httpPort + path);
  }

  TestClient client() {
    return client;
  }

  Answer get(int index, String path, String token) {
    return send(index, "GET", path, token, null);
  }

  /** Defines (or replaces) a job through node {@code index}. */
  void defineJob(int index, String job, String definition) {
    Answer answer = send(index, "PUT", "/api/jobs/" + job, admin, definition);
    if (answer.status() != 201 && answer.status() != 200) {
      throw new AssertionError("defining " + job + " answered " + answer);
    }
  }

  /** A shell step that carries this cluster's marker, so that leftovers can be killed. */
  String shellStep(String stepName, String script) {
    return shellStep(stepName, script, "");
  }

  /** The same, with {@code MARK=mark} too, to find one job's processes. */
  String shellStep(String stepName, String script, String mark) {
    return "{\"name\":\"" + stepName + "\",\"type\":\"shell\",\"command\":[\"bash\",\"-c\",\""
        + script + "\"],\"env\":{\"" + STEP_MARKER + "\":\"" + runId + "\",\"MARK\":\""
        + mark + "\"}}";
  }

  /** Starts an execution of {@code job} through node {@code index}; its id, after a 202. */
  String start(int index, String job) {
    Answer answer = send(index, "POST", "/api/jobs/" + job + "/executions", admin, null);
    if (answer.status() != 202) {
      throw new AssertionError("starting " + job + " through node" + index + " answered "
          + answer);
    }
    return answer.json().get("id").asText();
  }

  Answer stop(int index, String id, boolean force, String reason) {
    return send(index, "POST", "/api/executions/" + id + "/stop?force=" + force, admin,
        "{\"reason\":\"" + reason + "\"}");
  }

  JsonNode view(int index, String id) {
    Answer answer = get(index, "/api/executions/" + id, admin);
    if (answer.status() != 200) {
      throw new AssertionError("reading " + id + " through node" + index + " answered " + answer);
    }
    return answer.json();
  }

  /** The execution's journaled event types, in order, read through node {@code index}. */
  List<String> history(int index, String id) {
    Answer answer = get(index, "/api/executions/" + id + "/history", admin);
    if (answer.status() != 200) {
      throw new AssertionError("history of " + id + " answered " + answer);
    }
    List<String> types = new ArrayList<>();
    answer.json().get("events").forEach(event -> types.add(event.get("type").asText()));
    return types;
  }

  /** Which node each live execution runs on, asking every running node for its own. */
  Map<String, Integer> hosts() {
    Map<String, Integer> hosts = new HashMap<>();
    for (Node node : nodes) {
      if (!node.running()) {
        continue;
      }
      Answer answer = get(node.index, "/api/cluster", admin);
      if (answer.status() == 200) {
        answer.json().get("executions").forEach(id -> hosts.put(id.asText(), node.index));
      }
    }
    return hosts;
  }

  /** The node that runs {@code id}, once one reports it. */
  int awaitHost(String id) {
    return Eventually.await("a node reports " + id + " alive", Duration.ofSeconds(30),
        () -> hosts().getOrDefault(id, -1), host -> host >= 0);
  }

  /**
   * Polls (through running nodes, in turn) until every execution is terminal; returns each final
   * status. Unanswered reads during a failover are retried until the deadline.
   */
  Map<String, String> awaitTerminal(List<String> ids, Duration within) {
    Map<String, String> statuses = new LinkedHashMap<>();
    ids.forEach(id -> statuses.put(id, "?"));
    long deadline = System.nanoTime() + within.toNanos();
    int turn = 0;
    while (true) {
      for (String id : ids) {
        if (TERMINAL.contains(statuses.get(id))) {
          continue;
        }
        List<Node> up = nodes.stream().filter(Node::running).toList();
        Node via = up.get(turn++ % up.size());
        Answer answer = get(via.index, "/api/executions/" + id, admin);
        if (answer.status() == 200) {
          statuses.put(id, answer.json().get("status").asText());
        }
      }
      if (statuses.values().stream().allMatch(TERMINAL::contains)) {
        return statuses;
      }
      if (System.nanoTime() > deadline) {
        Map<String, String> open = statuses.entrySet().stream()
            .filter(e -> !TERMINAL.contains(e.getValue()))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        throw new AssertionError("not terminal within " + within.toSeconds() + " s: " + open);
      }
      pause(Duration.ofMillis(250));
    }
  }

  /**
   * Polls the executions' histories (read from the journal; no execution is woken by it) through
   * running nodes in turn until {@code done} holds for each; returns the last histories.
   */
  Map<String, List<String>> awaitHistories(String what, List<String> ids,
      Predicate<List<String>> done, Duration within) {
    Map<String, List<String>> histories = new LinkedHashMap<>();
    long deadline = System.nanoTime() + within.toNanos();
    int turn = 0;
    while (true) {
      for (String id : ids) {
        if (histories.containsKey(id) && done.test(histories.get(id))) {
          continue;
        }
        List<Node> up = nodes.stream().filter(Node::running).toList();
        Node via = up.get(turn++ % up.size());
        Answer answer = get(via.index, "/api/executions/" + id + "/history", admin);
        if (answer.status() == 200) {
          List<String> types = new ArrayList<>();
          answer.json().get("events").forEach(event -> types.add(event.get("type").asText()));
          histories.put(id, types);
        }
      }
      if (ids.stream().allMatch(id -> histories.containsKey(id)
          && done.test(histories.get(id)))) {
        return histories;
      }
      if (System.nanoTime() > deadline) {
        Map<String, List<String>> open = new LinkedHashMap<>();
        ids.stream().filter(id -> !histories.containsKey(id) || !done.test(histories.get(id)))
            .forEach(id -> open.put(id, histories.get(id)));
        throw new AssertionError("not within " + within.toSeconds() + " s: " + what
            + "; still open: " + open);
      }
      pause(Duration.ofMillis(300));
    }
  }

  static final Set<String> TERMINAL_EVENTS = Set.of("ExecutionSucceeded", "ExecutionFailed",
      "ExecutionDeadLettered", "ExecutionTimedOut", "ExecutionCancelled");

  static long terminalEvents(List<String> history) {
    return history.stream().filter(TERMINAL_EVENTS::contains).count();
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Running shell-step processes of this cluster's jobs, on any node. */
  List<Long> stepProcesses() {
    return Processes.withEnv(STEP_MARKER, runId);
  }

  static List<Integer> indexes(int size) {
    return IntStream.range(0, size).boxed().toList();
  }

  // ---------------------------------------------------------------- cleanup

  private void destroyAll() {
    for (Node node : nodes) {
      Process process = node.process;
      if (process != null && process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
    for (Node node : nodes) {
      Process process = node.process;
      if (process != null) {
        try {
          process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    // steps of killed nodes were orphaned when their JVM died
    Processes.withEnv(STEP_MARKER, runId).forEach(pid ->
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Override
  public void close() {
    destroyAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs (or ran) anyway
    }
  }

  @Override
  public String toString() {
    return name + " " + nodes;
  }
}
