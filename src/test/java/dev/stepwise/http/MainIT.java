package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.FreePort;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main} in a JVM of its own, as the README starts it: on the H2 default, without a
 * configured secret it prints one admin token, becomes ready, accepts the token, and stops
 * cleanly on SIGTERM.
 */
class MainIT {

  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path data;

  static int freePort() throws IOException {
    return FreePort.next();
  }

  @Test
  void aFreshNodePrintsOneAdminTokenServesReadyAndAcceptsTheToken() throws Exception {
    int port = freePort();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, Main.class.getName())
        .redirectErrorStream(true);
    builder.environment().remove("STEPWISE_JWT_SECRET");
    builder.environment().remove("STEPWISE_JWT_PUBLIC_KEY");
    builder.environment().remove("STEPWISE_DB_URL");
    builder.environment().put("STEPWISE_DATA_DIR", data.toString());
    builder.environment().put("STEPWISE_HTTP_PORT", Integer.toString(port));
    builder.environment().put("STEPWISE_CLUSTER_PORT", Integer.toString(freePort()));
    Process node = builder.start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      String tokenLine = Eventually.await("the admin token is printed", WAIT,
          () -> output.stream().filter(l -> l.startsWith("Admin token: ")).findFirst()
              .orElse(null), line -> line != null);
      String token = tokenLine.substring("Admin token: ".length()).strip();
      TestClient client = new TestClient(HttpClient.newHttpClient(), null);
      URI base = URI.create("http://127.0.0.1:" + port);
      Eventually.await("ready", WAIT,
          () -> client.status(base.resolve("/health/ready"), null) == 200);
      assertThat(client.status(base.resolve("/api/jobs"), token)).isEqualTo(200);
      assertThat(client.status(base.resolve("/api/jobs"), null)).isEqualTo(401);
      assertThat(client.status(base.resolve("/api/jobs"), token + "x")).isEqualTo(401);
      assertThat(output.stream().filter(l -> l.startsWith("Admin token: "))).hasSize(1);
    } finally {
      node.destroy();
      boolean ended = node.waitFor(30, TimeUnit.SECONDS);
      if (!ended) {
        node.destroyForcibly();
      }
      assertThat(ended).as("the node stops on SIGTERM; output:\n" + String.join("\n", output))
          .isTrue();
    }
  }
}
