package dev.stepwise.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release as a user gets it: unpack target/stepwise-*.tar.gz, start a node with
 * {@code bin/stepwise} on the embedded default, take the admin token it prints, and stop an
 * execution by force with {@code bin/stepwise stop <id> --force}.
 */
class ReleaseIT {

  static final Duration WAIT = Duration.ofSeconds(90);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aNodeStartedFromTheReleaseIsStoppedThroughItsOwnLauncher() throws Exception {
    ReleaseArtifact release = ReleaseArtifact.unpack(dir);
    int port = ReleaseArtifact.freePort();
    Map<String, String> nodeEnv = Map.of(
        "STEPWISE_DATA_DIR", dir.resolve("data").toString(),
        "STEPWISE_HTTP_PORT", Integer.toString(port),
        "STEPWISE_CLUSTER_PORT", Integer.toString(ReleaseArtifact.freePort()));
    try (ReleaseArtifact.Running node = release.start(nodeEnv)) {
      // the same first-run token as `mvn exec:java` prints
      String token = node.awaitLine("Admin token: ", WAIT).substring("Admin token: ".length())
          .strip();
      assertThat(node.process.info().commandLine().orElse(""))
          .as("the node runs from the unpacked lib/, not Maven's classpath")
          .contains(release.home.resolve("lib").toString());
      String url = "http://127.0.0.1:" + port;
      TestClient http = new TestClient(HttpClient.newHttpClient(), null);
      Eventually.await("the node is ready", WAIT,
          () -> http.status(URI.create(url + "/health/ready"), null) == 200);

      Map<String, String> client = Map.of("STEPWISE_URL", url, "STEPWISE_TOKEN", token);
      Path job = Files.writeString(dir.resolve("nap.json"),
          "{\"steps\":[{\"name\":\"nap\",\"type\":\"shell\",\"command\":[\"sleep\",\"600\"]}]}");
      ReleaseArtifact.Run applied = release.run(client, "jobs", "apply", "-f", job.toString());
      assertThat(applied.exitCode()).as(applied.output()).isZero();

      HttpResponse<String> started = http.send(URI.create(url + "/api/jobs/nap/executions"),
          "POST", token, null);
      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      String id = JSON.readTree(started.body()).get("id").asText();
      Eventually.await(id + " runs its step", WAIT,
          () -> show(release, client, id).path("steps").path(0).path("status").asText(),
          "Running"::equals);

      ReleaseArtifact.Run stop = release.run(client, "stop", id, "--force", "--reason",
          "release test");
      assertThat(stop.exitCode()).as(stop.output()).isZero();
      assertThat(stop.output()).contains(id).contains("Cancelled").contains("force");
      JsonNode view = show(release, client, id);
      assertThat(view.get("status").asText()).isEqualTo("Cancelled");
      assertThat(view.path("cancellation").path("reason").asText()).isEqualTo("release test");

      // an ended execution refuses a second stop, with the documented exit code
      ReleaseArtifact.Run again = release.run(client, "stop", id, "--force");
      assertThat(again.exitCode()).as(again.output()).isEqualTo(6);
      assertThat(node.stop(Duration.ofSeconds(60))).as("stops on SIGTERM").isTrue();
      assertThat(node.lines.stream().filter(l -> l.startsWith("Admin token: "))).hasSize(1);
    }
  }

  private static JsonNode show(ReleaseArtifact release, Map<String, String> client, String id) {
    try {
      ReleaseArtifact.Run show = release.run(client, "show", id, "--output", "json");
      assertThat(show.exitCode()).as(show.output()).isZero();
      return JSON.readTree(show.output());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
