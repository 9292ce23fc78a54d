package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.testing.Eventually;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shell step's output over the API, against a real node running real processes: followed
 * live with resume by byte offset, kept whole when the step fails, times out or is killed, cut
 * to the configured size, kept under the node's data folder and read again by a node started
 * on the same folder; bad requests get problem+json.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class StepOutputIT {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final int LIMIT = 8 * 1024;

  @TempDir static Path dir;
  static ApiServer api;
  static String operator;

  @BeforeAll
  static void start() {
    api = node();
    operator = api.operator();
    define("ticker", "{\"steps\":[{\"name\":\"tick\",\"type\":\"shell\",\"command\":[\"bash\","
        + "\"-c\",\"for i in $(seq 1 600); do echo line $i; sleep 0.05; done\"]}]}");
    define("quiet", "{\"steps\":[{\"name\":\"quiet\",\"type\":\"shell\","
        + "\"command\":[\"true\"]}]}");
    define("slow", "{\"steps\":[{\"name\":\"slow\",\"type\":\"shell\",\"timeoutSeconds\":1,"
        + "\"command\":[\"bash\",\"-c\",\"for i in $(seq 1 100); do echo slow $i; sleep 0.1;"
        + " done\"]}]}");
    define("loud", "{\"steps\":[{\"name\":\"loud\",\"type\":\"shell\",\"command\":[\"bash\","
        + "\"-c\",\"echo first; yes yyyyyyyyyyyyyyyyyyy | head -c 40000; echo last;"
        + " exit 3\"]}]}");
  }

  static ApiServer node() {
    return new ApiServer(Map.of("stepwise.data-dir", dir.toString(),
        "stepwise.step-output.max-bytes-per-attempt", String.valueOf(LIMIT),
        "stepwise.http.sse-heartbeat", "1s"));
  }

  static void define(String name, String definition) {
    assertThat(api.put("/api/jobs/" + name, api.admin(), definition).status()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aFollowerGetsTheOutputAsItIsWrittenAndResumesFromItsOffset() throws Exception {
    String id = start("ticker");
    String path = output(id, 0, 1);
    List<String[]> first = follow(path + "?follow=true", null, 5);
    assertThat(first).hasSize(5);
    String resumeAt = first.get(4)[0];
    String before = texts(first);
    assertThat(before).startsWith("line 1\n");
    assertThat(status(id)).isEqualTo("Running");
    List<String[]> more = follow(path + "?follow=true", resumeAt, 3);
    String after = texts(more);
    // nothing repeated, nothing skipped: the resumed text goes on where the first stopped
    assertThat(api.get(path, operator).raw().body()).startsWith(before + after);
    assertThat(Long.parseLong(more.get(0)[0])).isGreaterThan(Long.parseLong(resumeAt));
    assertThat(api.post("/api/executions/" + id + "/stop?force=true", operator, "{}").status())
        .isEqualTo(202);
    Eventually.await("Cancelled", WAIT, () -> status(id).equals("Cancelled"));
    // a follower of an ended attempt gets the rest and then the end
    List<String[]> rest = follow(path + "?follow=true", resumeAt, Integer.MAX_VALUE);
    assertThat(rest.get(rest.size() - 1)[1]).isEqualTo("end");
    assertThat(Path.of(dir.toString(), "step-output", id, "0-1.log")).exists();
  }

  @Test
  void aTimedOutStepKeepsItsOutputToTheEnd() {
    String id = start("slow");
    Eventually.await("ended", WAIT, () -> !List.of("Pending", "Running").contains(status(id)));
    ApiServer.Answer whole = api.get(output(id, 0, 1), operator);
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.header("Stepwise-Output-Ended")).isEqualTo("true");
    String text = whole.raw().body();
    assertThat(text).startsWith("slow 1\n").contains("slow 5\n");
    JsonNode step = api.get("/api/executions/" + id, operator).json().path("steps").get(0);
    assertThat(step.path("error").asText()).contains("timed out");
    // the last line the step wrote before it was killed is in the file
    assertThat(text).endsWith(lastLineOf(step.path("output").asText()) + "\n");
  }

  @Test
  void aLongOutputKeepsItsStartAndEndAndSaysWhatWentMissing() {
    String id = start("loud");
    Eventually.await("ended", WAIT, () -> !List.of("Pending", "Running").contains(status(id)));
    ApiServer.Answer whole = api.get(output(id, 0, 1), operator);
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.header("Stepwise-Output-Truncated")).isEqualTo("true");
    String text = whole.raw().body();
    assertThat(text).startsWith("first\n").endsWith("last\n").contains("bytes left out");
    assertThat(text.length()).isLessThan(LIMIT + 200);
  }

  @Test
  void badRequestsAndMissingOutputAreProblems() {
    String id = start("loud");
    for (String path : List.of(output(id, 0, 0), "/api/executions/" + id
        + "/steps/-1/attempts/1/output", "/api/executions/" + id + "/steps/x/attempts/1/output",
        "/api/executions/not-an-id/steps/0/attempts/1/output", output(id, 0, 1)
        + "?follow=maybe", output(id, 0, 1) + "?offset=-3")) {
      ApiServer.Answer answer = api.get(path, operator);
      assertThat(answer.status()).as(path).isEqualTo(400);
      assertThat(answer.contentType()).as(path).contains("application/problem+json");
    }
    ApiServer.Answer missing = api.get(output(id, 7, 1), operator);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("type").asText()).endsWith("/output-not-here");
    assertThat(missing.json().path("detail").asText()).contains("node that ran it");
    assertThat(api.get(output(id, 0, 1), null).status()).isEqualTo(401);
    // a step that wrote nothing has an output all the same: empty
    String quiet = start("quiet");
    Eventually.await("ended", WAIT, () -> status(quiet).equals("Success"));
    ApiServer.Answer empty = api.get(output(quiet, 0, 1), operator);
    assertThat(empty.status()).isEqualTo(200);
    assertThat(empty.raw().body()).isEmpty();
  }

  /** Last, because it restarts the node: an ended attempt's output is read again after it. */
  @Test
  void zEndedOutputSurvivesARestartOfTheNode() {
    String id = start("loud");
    Eventually.await("ended", WAIT, () -> !List.of("Pending", "Running").contains(status(id)));
    String before = api.get(output(id, 0, 1), operator).raw().body();
    api.close();
    api = node();
    operator = api.operator();
    ApiServer.Answer again = api.get(output(id, 0, 1), operator);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.raw().body()).isEqualTo(before);
    assertThat(again.header("Stepwise-Output-Ended")).isEqualTo("true");
  }

  // ---------------------------------------------------------------- helpers

  static String start(String job) {
    ApiServer.Answer answer = api.post("/api/jobs/" + job + "/executions", operator, "{}");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
    return answer.json().path("id").asText();
  }

  static String status(String id) {
    return api.get("/api/executions/" + id, operator).json().path("status").asText();
  }

  static String output(String id, int index, int attempt) {
    return "/api/executions/" + id + "/steps/" + index + "/attempts/" + attempt + "/output";
  }

  static String lastLineOf(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }

  static String texts(List<String[]> events) throws IOException {
    StringBuilder all = new StringBuilder();
    for (String[] event : events) {
      if ("output".equals(event[1])) {
        all.append(Json.MAPPER.readTree(event[2]).path("text").asText());
      }
    }
    return all.toString();
  }

  /** Reads {@code count} events ({id, type, data}) or until the stream ends. */
  static List<String[]> follow(String path, String lastEventId, int count) throws Exception {
    HttpRequest request = api.client().events(api.uri(path), operator, lastEventId)
        .timeout(WAIT).build();
    HttpResponse<Stream<String>> response = api.client().http().send(request,
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    List<String[]> events = new ArrayList<>();
    try (Stream<String> lines = response.body()) {
      Iterator<String> it = lines.iterator();
      String id = null;
      String type = "message";
      StringBuilder data = new StringBuilder();
      while (events.size() < count && it.hasNext()) {
        String line = it.next();
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new String[] {id, type, data.toString()});
          }
          id = null;
          type = "message";
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).strip());
        }
      }
    }
    return events;
  }
}
