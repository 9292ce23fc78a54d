package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.FreePort;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.testing.Eventually;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away for 15 s while executions run: the node says it is not ready and answers
 * 503 with Retry-After where it cannot serve; executions whose writes fail restart with backoff;
 * once the database is back, every execution that was accepted completes, exactly once.
 */
class DatabaseOutageIT {

  static final Duration OUTAGE = Duration.ofSeconds(15);

  @TempDir Path dataDir;

  @Test
  void executionsSurviveAFifteenSecondDatabaseOutage() throws Exception {
    int port = freePort();
    EmbeddedPostgres postgres = start(port);
    String url = postgres.getJdbcUrl("postgres", "postgres");
    try (ApiServer api = new ApiServer(Map.of("stepwise.database.url", url,
        "stepwise.database.user", "postgres", "stepwise.database.password", ""))) {
      assertThat(api.put("/api/jobs/steady", api.admin(), "{\"steps\":["
          + "{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":1},"
          + "{\"name\":\"b\",\"type\":\"sleep\",\"seconds\":1},"
          + "{\"name\":\"c\",\"type\":\"sleep\",\"seconds\":1}]}").status()).isEqualTo(201);
      List<String> accepted = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        ApiServer.Answer started = api.post("/api/jobs/steady/executions", api.operator(), "");
        assertThat(started.status()).isEqualTo(202);
        accepted.add(started.json().get("id").asText());
      }

      postgres.close();
      long outageStart = System.nanoTime();
      Eventually.await("not ready while the database is gone", Duration.ofSeconds(30),
          () -> api.get("/health/ready", null).status() == 503);
      ApiServer.Answer list = api.get("/api/executions", api.viewer());
      assertThat(list.status()).as(list.toString()).isEqualTo(503);
      assertThat(list.header("Retry-After")).isEqualTo("5");
      ApiServer.Answer start = api.post("/api/jobs/steady/executions", api.operator(), "");
      assertThat(start.status()).as(start.toString()).isIn(202, 503);
      if (start.status() == 202) {
        accepted.add(start.json().get("id").asText());
      } else {
        assertThat(start.header("Retry-After")).isEqualTo("5");
      }
      long left = OUTAGE.toNanos() - (System.nanoTime() - outageStart);
      if (left > 0) {
        Thread.sleep(left / 1_000_000); // the outage itself, not a wait for a condition
      }
      postgres = start(port);
      long back = System.nanoTime();

      Eventually.await("ready again", Duration.ofSeconds(60),
          () -> api.get("/health/ready", null).status() == 200);
      for (String id : accepted) {
        Eventually.await(id + " succeeded", Duration.ofSeconds(90), () -> "Success".equals(
            api.get("/api/executions/" + id, api.viewer()).json().path("status").asText()));
        JsonNode events = api.get("/api/executions/" + id + "/history", api.viewer()).json()
            .get("events");
        long terminal = 0;
        for (JsonNode event : events) {
          if (event.get("type").asText().startsWith("Execution")
              && !event.get("type").asText().equals("ExecutionCreated")
              && !event.get("type").asText().equals("ExecutionStarted")) {
            terminal++;
          }
        }
        assertThat(terminal).as("terminal events of " + id).isEqualTo(1);
      }
      System.out.printf("FIGURES database outage: %d executions accepted, all succeeded with one"
              + " terminal event each; the last ended %.1f s after the database came back%n",
          accepted.size(), (System.nanoTime() - back) / 1e9);
    } finally {
      postgres.close();
    }
  }

  private EmbeddedPostgres start(int port) throws Exception {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  private static int freePort() throws Exception {
    return FreePort.next();
  }
}
