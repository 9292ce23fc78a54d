package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.http.ApiServer.Answer;
import dev.stepwise.testing.DatabaseKind;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole path on a real bound server: jobs of three real shell steps, one stopped gracefully
 * and one by force over HTTP, watched over Server-Sent Events by a client that stays and one
 * that leaves and comes back with Last-Event-ID.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(DatabaseKind.class)
class StopOverHttpEndToEndIT {

  /** The database this run of the class journals to: the README default, then PostgreSQL. */
  @Parameter DatabaseKind database;

  static final Duration WAIT = Duration.ofSeconds(30);

  static ApiServer api;

  @TempDir Path dir;

  @BeforeParameterizedClassInvocation
  static void start(DatabaseKind database) {
    api = new ApiServer(database, Map.of("stepwise.http.sse-heartbeat", "1s"));
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    api.close();
  }

  static String shell(String name, String script, String mark) {
    return "{\"name\":\"" + name + "\",\"type\":\"shell\",\"command\":[\"bash\",\"-c\",\""
        + script + "\"],\"env\":{\"MARK\":\"" + mark + "\"}}";
  }

  static String threeSteps(String first, Path dir, String mark) {
    return "{\"steps\":[" + shell("one", first, mark) + ","
        + shell("two", "touch " + dir.resolve("two"), mark) + ","
        + shell("three", "touch " + dir.resolve("three"), mark) + "]}";
  }

  static JsonNode awaitStatus(String id, String status) {
    return Eventually.await(id + " is " + status, WAIT,
        () -> api.get("/api/executions/" + id, api.viewer()).json(),
        view -> status.equals(view.path("status").asText()));
  }

  static List<String> history(String id) {
    List<String> events = new ArrayList<>();
    api.get("/api/executions/" + id + "/history", api.viewer()).json().get("events")
        .forEach(e -> events.add(e.get("seq").asLong() + ":" + e.get("type").asText()));
    return events;
  }

  static List<String> streamed(List<SseClient.Event> events, String id) {
    List<String> mine = new ArrayList<>();
    for (SseClient.Event event : events) {
      JsonNode data = read(event.data());
      if (id.equals(data.get("executionId").asText())) {
        mine.add(data.get("seq").asLong() + ":" + data.get("type").asText());
      }
    }
    return mine;
  }

  static JsonNode read(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(json, e);
    }
  }

  static long terminalCount(List<SseClient.Event> events) {
    return events.stream().filter(e -> "ExecutionCancelled".equals(e.type())).count();
  }

  @Test
  void gracefulAndForceStopsOverHttpAreStreamedCompletelyAndResumeWithoutLossOrRepeat()
      throws Exception {
    String viewer = api.viewer();
    SseClient watcher = new SseClient(api, "", viewer, null, events -> false);
    assertThat(watcher.status.get()).isEqualTo(200);

    // graceful: step one finishes, two and three never run
    Path graceful = Files.createDirectory(dir.resolve("graceful"));
    String gracefulMark = UUID.randomUUID().toString();
    String script = "touch " + graceful.resolve("one-started") + "; sleep 2; touch "
        + graceful.resolve("one-finished");
    assertThat(api.put("/api/jobs/gentle", api.admin(), threeSteps(script, graceful,
        gracefulMark)).status()).isEqualTo(201);
    String gentle = api.post("/api/jobs/gentle/executions", api.operator(), null).json()
        .get("id").asText();
    Eventually.await("step one started", WAIT, () -> Files.exists(graceful.resolve("one-started")));
    Answer stopping = api.post("/api/executions/" + gentle + "/stop", api.operator(),
        "{\"reason\":\"release freeze\"}");
    assertThat(stopping.status()).isEqualTo(202);
    assertThat(stopping.json().get("status").asText()).isEqualTo("Cancelling");
    JsonNode cancelled = awaitStatus(gentle, "Cancelled");
    assertThat(graceful.resolve("one-finished")).exists();
    assertThat(graceful.resolve("two")).doesNotExist();
    assertThat(graceful.resolve("three")).doesNotExist();
    List<String> stepStatuses = new ArrayList<>();
    cancelled.get("steps").forEach(s -> stepStatuses.add(s.get("status").asText()));
    assertThat(stepStatuses).containsExactly("Success", "Skipped", "Skipped");
    assertThat(cancelled.at("/cancellation/requestedBy").asText()).isEqualTo("otto");
    assertThat(cancelled.at("/cancellation/mode").asText()).isEqualTo("graceful");

    // force: the whole process tree of step one is gone when Cancelled is reported
    Path forced = Files.createDirectory(dir.resolve("forced"));
    String forcedMark = UUID.randomUUID().toString();
    assertThat(api.put("/api/jobs/rough", api.admin(), threeSteps(
        "sleep 300 & sleep 301 & wait", forced, forcedMark)).status()).isEqualTo(201);
    String rough = api.post("/api/jobs/rough/executions", api.operator(), null).json()
        .get("id").asText();
    Eventually.await("bash and both sleeps running", WAIT,
        () -> Processes.withEnv("MARK", forcedMark).size() == 3);
    Answer killed = api.post("/api/executions/" + rough + "/stop?force=true", api.operator(),
        "{\"reason\":\"runaway\"}");
    assertThat(killed.status()).isEqualTo(202);
    assertThat(killed.json().get("status").asText()).isEqualTo("Cancelled");
    assertThat(Processes.withEnv("MARK", forcedMark)).isEmpty();
    assertThat(forced.resolve("two")).doesNotExist();
    assertThat(forced.resolve("three")).doesNotExist();
    assertThat(killed.json().at("/steps/0/status").asText()).isEqualTo("Interrupted");

    // the stream delivered every event of both, in order, each once
    Eventually.await("both terminal events streamed", WAIT,
        () -> terminalCount(watcher.events) == 2);
    List<SseClient.Event> all = List.copyOf(watcher.events);
    assertThat(streamed(all, gentle)).isEqualTo(history(gentle));
    assertThat(streamed(all, rough)).isEqualTo(history(rough));
    assertThat(streamed(all, gentle).size() + streamed(all, rough).size()).isEqualTo(all.size());
    for (int i = 1; i < all.size(); i++) {
      assertThat(Long.parseLong(all.get(i).id()))
          .isGreaterThan(Long.parseLong(all.get(i - 1).id()));
    }
    for (SseClient.Event event : all) {
      assertThat(read(event.data()).get("offset").asText()).isEqualTo(event.id());
      assertThat(read(event.data()).get("type").asText()).isEqualTo(event.type());
    }

    // a client that leaves after four events and comes back with Last-Event-ID
    SseClient leaving = new SseClient(api, "", viewer, null, events -> events.size() >= 4);
    leaving.ended.get();
    assertThat(leaving.events).hasSize(4);
    SseClient back = new SseClient(api, "", viewer, leaving.lastId(), events -> false);
    Eventually.await("the returning client caught up", WAIT,
        () -> back.events.size() >= all.size() - 4);
    List<SseClient.Event> rejoined = new ArrayList<>(leaving.events);
    rejoined.addAll(back.events);
    assertThat(rejoined).isEqualTo(all);

    // filters by execution and by job
    SseClient onlyGentle = new SseClient(api, "?execution=" + gentle, viewer, null, e -> false);
    SseClient onlyRough = new SseClient(api, "?job=rough", viewer, null, e -> false);
    Eventually.await("filtered streams complete", WAIT, () ->
        terminalCount(onlyGentle.events) == 1 && terminalCount(onlyRough.events) == 1);
    assertThat(streamed(onlyGentle.events, gentle)).isEqualTo(history(gentle));
    assertThat(onlyGentle.events).hasSize(history(gentle).size());
    assertThat(streamed(onlyRough.events, rough)).isEqualTo(history(rough));
    assertThat(onlyRough.events).hasSize(history(rough).size());

    // an idle stream stays open with heartbeats
    int before = onlyGentle.heartbeats.get();
    Eventually.await("a heartbeat on the idle stream", WAIT,
        () -> onlyGentle.heartbeats.get() > before);

    for (SseClient client : List.of(watcher, back, onlyGentle, onlyRough)) {
      client.close();
    }
  }

  @Test
  void theEventStreamNeedsATokenAndRejectsABadLastEventId() throws Exception {
    assertThat(api.get("/api/events", null).status()).isEqualTo(401);
    assertThat(api.send("GET", "/api/events", api.viewer(), null, "Last-Event-ID", "abc")
        .status()).isEqualTo(400);
    assertThat(api.get("/api/events?execution=nope", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/events?job=Bad%20Job", api.viewer()).status()).isEqualTo(400);
    SseClient unfiltered = new SseClient(api, "?job=&execution=", api.viewer(), null, e -> false);
    assertThat(unfiltered.status.get()).isEqualTo(200);
    unfiltered.close();
  }
}
