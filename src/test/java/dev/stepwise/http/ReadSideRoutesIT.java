package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.testing.DatabaseKind;
import dev.stepwise.testing.Eventually;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The routes served from the read side, on a real server over a real PostgreSQL. */
@ParameterizedClass(name = "on {0}")
@EnumSource(DatabaseKind.class)
class ReadSideRoutesIT {

  /** The database this run of the class journals to: the README default, then PostgreSQL. */
  @Parameter DatabaseKind database;

  static ApiServer api;

  @BeforeParameterizedClassInvocation
  static void start(DatabaseKind database) {
    api = new ApiServer(database, Map.of());
    define("quick", "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":0}]}");
    define("long", "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":3600}]}");
    define("doomed", "{\"steps\":[{\"name\":\"boom\",\"type\":\"shell\","
        + "\"command\":[\"false\"]}]}");
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    api.close();
  }

  static void define(String job, String body) {
    assertThat(api.put("/api/jobs/" + job, api.admin(), body).status()).isIn(200, 201);
  }

  static String startRun(String job) {
    ApiServer.Answer answer = api.post("/api/jobs/" + job + "/executions", api.operator(), "");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
    return answer.json().get("id").asText();
  }

  static JsonNode page(String query) {
    ApiServer.Answer answer = api.get("/api/executions" + query, api.viewer());
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.json();
  }

  /** Every row the list shows for {@code job}, following cursors; in the order served. */
  static List<JsonNode> all(String job, int limit) {
    List<JsonNode> rows = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = page("?job=" + job + "&limit=" + limit
          + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
      page.get("items").forEach(rows::add);
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
    } while (cursor != null);
    return rows;
  }

  @Test
  void paginationOverAThousandHasNoGapsNoRepeatsAndIgnoresConcurrentInserts() throws Exception {
    define("bulk", "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":0}]}");
    Set<String> started = new HashSet<>(startMany("bulk", 1_000));
    Eventually.await("the read side lists all 1,000", Duration.ofSeconds(60),
        () -> all("bulk", 500).size() == 1_000);

    AtomicBoolean paging = new AtomicBoolean(true);
    ExecutorService inserter = Executors.newSingleThreadExecutor();
    Future<Integer> inserted = inserter.submit(() -> {
      int count = 0;
      while (paging.get() && count < 200) {
        startRun("bulk");
        count++;
      }
      return count;
    });
    List<JsonNode> rows;
    try {
      rows = all("bulk", 37);
    } finally {
      paging.set(false);
      inserter.shutdown();
    }
    assertThat(inserted.get()).isPositive();

    List<String> ids = rows.stream().map(r -> r.get("id").asText()).toList();
    assertThat(new HashSet<>(ids)).as("no repeats").hasSize(ids.size());
    assertThat(new HashSet<>(ids)).as("no gaps: exactly the first thousand")
        .isEqualTo(started);
    for (int i = 1; i < rows.size(); i++) {
      Instant before = Instant.parse(rows.get(i - 1).get("createdAt").asText());
      Instant after = Instant.parse(rows.get(i).get("createdAt").asText());
      assertThat(before.isAfter(after) || (before.equals(after)
          && rows.get(i - 1).get("id").asText().compareTo(rows.get(i).get("id").asText()) > 0))
          .as("newest first at row " + i).isTrue();
    }
  }

  private static List<String> startMany(String job, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        futures.add(pool.submit(() -> startRun(job)));
      }
      List<String> ids = new ArrayList<>();
      for (Future<String> future : futures) {
        ids.add(future.get());
      }
      return ids;
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void filtersByStatusAndJobAndShowsTheDeadLetterQueue() {
    String ok = startRun("quick");
    String dead = startRun("doomed");
    Eventually.await("both ended in the read side", Duration.ofSeconds(30), () ->
        ids(page("?status=Success&job=quick")).contains(ok)
            && ids(api.get("/api/dead-letters", api.viewer()).json()).contains(dead));
    assertThat(ids(page("?status=Success"))).contains(ok).doesNotContain(dead);
    assertThat(ids(page("?job=doomed"))).contains(dead).doesNotContain(ok);
    JsonNode deadRow = api.get("/api/dead-letters", api.viewer()).json().get("items").get(0);
    assertThat(deadRow.get("status").asText()).isEqualTo("DeadLetter");
    assertThat(deadRow.get("error").asText()).contains("'boom'");
  }

  @Test
  void jobWideStopStopsEveryUnfinishedExecutionOfTheJob() {
    define("stoppable", "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":3600}]}");
    List<String> running = List.of(startRun("stoppable"), startRun("stoppable"),
        startRun("stoppable"));
    String other = startRun("long");
    Eventually.await("the read side shows them running", Duration.ofSeconds(30),
        () -> ids(page("?job=stoppable&status=Running")).containsAll(running));

    assertThat(api.post("/api/jobs/stoppable/stop?force=true", api.viewer(), "").status())
        .isEqualTo(403);
    ApiServer.Answer answer = api.post("/api/jobs/stoppable/stop?force=true", api.operator(),
        "{\"reason\":\"bad release\"}");
    assertThat(answer.status()).isEqualTo(200);
    List<String> stopped = new ArrayList<>();
    answer.json().get("results").forEach(r -> {
      assertThat(r.get("outcome").asText()).isEqualTo("accepted");
      assertThat(r.get("status").asText()).isEqualTo("Cancelled");
      stopped.add(r.get("id").asText());
    });
    assertThat(stopped).containsExactlyInAnyOrderElementsOf(running);
    assertThat(api.get("/api/executions/" + other, api.viewer()).json().get("status").asText())
        .isEqualTo("Running");
    JsonNode cancelled = api.get("/api/executions/" + running.get(0), api.viewer()).json();
    assertThat(cancelled.get("cancellation").get("reason").asText()).isEqualTo("bad release");
    assertThat(cancelled.get("cancellation").get("requestedBy").asText()).isEqualTo("otto");
  }

  @Test
  void badQueriesAreClearFourHundreds() {
    assertThat(api.get("/api/executions?status=Sleeping", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/executions?limit=0", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/executions?limit=abc", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/executions?cursor=not-a-cursor", api.viewer()).status())
        .isEqualTo(400);
    assertThat(api.get("/api/executions?job=..%2Fetc", api.viewer()).status()).isEqualTo(400);
    assertThat(api.get("/api/executions", null).status()).isEqualTo(401);
    assertThat(api.post("/api/jobs/Bad!/stop", api.operator(), "").status()).isEqualTo(400);
  }

  static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(item -> ids.add(item.get("id").asText()));
    return ids;
  }
}
