package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.http.BearerTokens;
import dev.stepwise.http.HttpSettings;
import dev.stepwise.http.Json;
import dev.stepwise.http.Main;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestClient;
import dev.stepwise.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three node JVMs form one cluster through Pekko Management's cluster bootstrap, with config
 * discovery of each other's management address and no seed node list: one forms the cluster,
 * the others join it, and each sees three Up members.
 */
class BootstrapIT {

  static final Duration WAIT = Duration.ofSeconds(150);
  static final String SECRET = "bootstrap-test-secret-bootstrap-test-secret-0123";

  record Node(int http, int cluster, int management, Path log) {}

  @Test
  void threeNodesFormOneClusterWithoutASeedList() throws Exception {
    TestDatabase.Credentials database = TestDatabase.fresh();
    Path logs = Files.createDirectories(Path.of("target", "cluster-logs"));
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(new Node(LocalCluster.freePort(), LocalCluster.freePort(),
          LocalCluster.freePort(), logs.resolve("bootstrap-node" + i + ".log")));
    }
    String endpoints = nodes.stream().map(n -> "127.0.0.1:" + n.management())
        .collect(Collectors.joining(","));
    List<Process> processes = new ArrayList<>();
    try {
      for (Node node : nodes) {
        ProcessBuilder builder = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dpekko.logger-startup-timeout=30s",
            "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=6s",
            "-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), Main.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(node.log().toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("STEPWISE_"));
        env.put("STEPWISE_HTTP_PORT", Integer.toString(node.http()));
        env.put("STEPWISE_CLUSTER_PORT", Integer.toString(node.cluster()));
        env.put("STEPWISE_MANAGEMENT_PORT", Integer.toString(node.management()));
        env.put("STEPWISE_DISCOVERY", "config");
        env.put("STEPWISE_BOOTSTRAP_ENDPOINTS", endpoints);
        env.put("STEPWISE_DB_URL", database.url());
        env.put("STEPWISE_DB_USER", database.user());
        env.put("STEPWISE_DB_PASSWORD", database.password());
        env.put("STEPWISE_JWT_SECRET", SECRET);
        processes.add(builder.start());
      }
      String admin = BearerTokens.from(new HttpSettings.JwtSettings(SECRET, null,
          Duration.ofHours(1), Duration.ofSeconds(30))).issue("ada", List.of("admin"),
          Duration.ofHours(1));
      TestClient http = new TestClient(HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2)).build(), Duration.ofSeconds(10));
      for (int i = 0; i < nodes.size(); i++) {
        Node node = nodes.get(i);
        Process process = processes.get(i);
        Eventually.await("node" + i + " sees three Up members (see " + node.log() + ")", WAIT,
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("node exited with " + process.exitValue() + "; see "
                    + node.log());
              }
              return members(http, node, admin);
            },
            members -> members.size() == 3 && members.stream().allMatch("Up"::equals));
      }
      // exactly one node formed the cluster; the other two joined it
      long formed = 0;
      for (Node node : nodes) {
        if (Files.readString(node.log()).contains("self-joining")) {
          formed++;
        }
      }
      assertThat(formed).as("nodes that formed the cluster themselves").isEqualTo(1);
    } finally {
      for (Process process : processes) {
        process.destroy();
      }
      for (Process process : processes) {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  private static List<String> members(TestClient http, Node node, String token) {
    try {
      HttpResponse<String> answer = http.send(
          URI.create("http://127.0.0.1:" + node.http() + "/api/cluster"), "GET", token, null);
      if (answer.statusCode() != 200) {
        return List.of();
      }
      List<String> statuses = new ArrayList<>();
      for (JsonNode member : Json.MAPPER.readTree(answer.body()).get("members")) {
        statuses.add(member.get("status").asText());
      }
      return statuses;
    } catch (java.io.IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
