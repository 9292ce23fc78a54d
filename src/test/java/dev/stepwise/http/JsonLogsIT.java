package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log switch as an operator uses it: {@code Main} in a JVM of its own with the shipped
 * logback.xml and {@code STEPWISE_LOG_FORMAT=json} logs one JSON object per line, and the lines
 * about an execution, from the HTTP edge and from the execution itself, carry its id, its job and
 * the acting user.
 */
class JsonLogsIT {

  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path data;

  @Test
  void withTheJsonSwitchEveryLineIsJsonAndAnExecutionsLinesCarryItsIdJobAndUser()
      throws Exception {
    int port = MainIT.freePort();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // the shipped configuration, not the tests' logback-test.xml on this class path
        "-Dlogback.configurationFile=logback.xml",
        "-cp", classpath, Main.class.getName());
    builder.environment().remove("STEPWISE_JWT_SECRET");
    builder.environment().remove("STEPWISE_JWT_PUBLIC_KEY");
    builder.environment().remove("STEPWISE_DB_URL");
    builder.environment().put("STEPWISE_LOG_FORMAT", "json");
    builder.environment().put("STEPWISE_DATA_DIR", data.toString());
    builder.environment().put("STEPWISE_HTTP_PORT", Integer.toString(port));
    builder.environment().put("STEPWISE_CLUSTER_PORT", Integer.toString(MainIT.freePort()));
    Process node = builder.start();
    List<String> out = collect(node.getInputStream());
    List<String> err = collect(node.getErrorStream());
    try {
      String token = Eventually.await("the admin token is printed", WAIT,
          () -> out.stream().filter(l -> l.startsWith("Admin token: ")).findFirst().orElse(null),
          line -> line != null).substring("Admin token: ".length()).strip();
      TestClient client = new TestClient(HttpClient.newHttpClient(), Duration.ofSeconds(30));
      URI base = URI.create("http://127.0.0.1:" + port);
      Eventually.await("ready", WAIT,
          () -> client.status(base.resolve("/health/ready"), null) == 200);
      assertThat(send(client, base, "PUT", "/api/jobs/nap", token,
          "{\"steps\":[{\"name\":\"doze\",\"type\":\"shell\",\"command\":[\"sleep\",\"60\"]}]}")
          .statusCode()).isEqualTo(201);
      String id = Json.MAPPER.readTree(send(client, base, "POST", "/api/jobs/nap/executions",
          token, null).body()).get("id").asText();
      Eventually.await("the step runs", WAIT, () -> {
        try {
          return Json.MAPPER.readTree(send(client, base, "GET", "/api/executions/" + id, token,
              null).body()).at("/steps/0/status").asText();
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }, "Running"::equals);
      assertThat(send(client, base, "POST", "/api/executions/" + id + "/stop?force=true", token,
          "{\"reason\":\"log test\"}").statusCode()).isEqualTo(202);

      List<JsonNode> mine = Eventually.await("the execution logged its end", WAIT,
          () -> linesAbout(err, id),
          lines -> lines.stream().anyMatch(l -> message(l).startsWith("execution ended Cancelled")));
      for (String line : err) {
        assertThat(line).as("every log line is one JSON object").startsWith("{").endsWith("}");
        assertThat(Json.MAPPER.readTree(line).isObject()).as(line).isTrue();
      }
      assertThat(mine).extracting(l -> l.at("/mdc/job").asText()).containsOnly("nap");
      assertThat(mine).extracting(l -> l.at("/mdc/user").asText()).containsOnly("admin");
      assertThat(mine).extracting(JsonLogsIT::message).anyMatch(m ->
          m.startsWith("execution of job nap created by admin"))
          .anyMatch(m -> m.startsWith("force stop requested by admin: log test"))
          .anyMatch(m -> m.startsWith("force stop over HTTP accepted"))
          .anyMatch(m -> m.startsWith("step doze attempt 1 interrupted"));
      assertThat(mine).filteredOn(l -> message(l).startsWith("step doze"))
          .extracting(l -> l.at("/mdc/step").asText()).containsOnly("doze");

      // this node runs on the H2 default: its read-side gauges answer there too
      String metrics = send(client, base, "GET", "/metrics", token, null).body();
      assertThat(metrics).containsPattern("(?m)^stepwise_projection_lag_events [0-9.]+$")
          .containsPattern("(?m)^stepwise_executions_active\\{status=\"Running\"} [0-9.]+$");
    } finally {
      node.destroy();
      boolean ended = node.waitFor(30, TimeUnit.SECONDS);
      if (!ended) {
        node.destroyForcibly();
      }
      assertThat(ended).as("the node stops on SIGTERM").isTrue();
    }
  }

  static List<JsonNode> linesAbout(List<String> lines, String executionId) {
    List<JsonNode> about = new ArrayList<>();
    for (String line : lines) {
      try {
        JsonNode json = Json.MAPPER.readTree(line);
        if (executionId.equals(json.at("/mdc/executionId").asText())) {
          about.add(json);
        }
      } catch (IOException e) {
        // not JSON: the assertion over every line reports it
      }
    }
    return about;
  }

  static String message(JsonNode line) {
    return line.path("formattedMessage").asText();
  }

  static HttpResponse<String> send(TestClient client, URI base, String method, String path,
      String token, String body) {
    try {
      return client.send(base.resolve(path), method, token, body);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static List<String> collect(InputStream stream) {
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (!line.isBlank()) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
