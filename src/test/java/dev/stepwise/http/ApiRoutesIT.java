package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.http.ApiServer.Answer;
import dev.stepwise.testing.DatabaseKind;
import dev.stepwise.testing.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Every route, status code and role rule, on a real bound server and a real journal. */
@ParameterizedClass(name = "on {0}")
@EnumSource(DatabaseKind.class)
class ApiRoutesIT {

  /** The database this run of the class journals to: the README default, then PostgreSQL. */
  @Parameter DatabaseKind database;

  static final Duration WAIT = Duration.ofSeconds(20);
  static final String SLEEPY = "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":60}]}";
  static final String QUICK =
      "{\"steps\":[{\"name\":\"hi\",\"type\":\"shell\",\"command\":[\"true\"]}]}";
  static final String FAILING =
      "{\"steps\":[{\"name\":\"no\",\"type\":\"shell\",\"command\":[\"false\"]}],\"deadLetter\":false}";

  static ApiServer api;

  @BeforeParameterizedClassInvocation
  static void start(DatabaseKind database) {
    api = new ApiServer(database, Map.of("stepwise.http.max-body-size", "64k"));
    assertThat(api.put("/api/jobs/sleepy", api.admin(), SLEEPY).status()).isEqualTo(201);
    assertThat(api.put("/api/jobs/quick", api.admin(), QUICK).status()).isEqualTo(201);
    assertThat(api.put("/api/jobs/failing", api.admin(), FAILING).status()).isEqualTo(201);
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    api.close();
  }

  static void assertProblem(Answer answer, int status) {
    assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
    assertThat(answer.contentType()).isEqualTo("application/problem+json");
    JsonNode problem = answer.json();
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("type").asText()).startsWith("https://stepwise.dev/problems/");
    assertThat(problem.get("title").asText()).isNotBlank();
    assertThat(problem.get("detail").asText()).isNotBlank();
  }

  static String startSleepy() {
    Answer started = api.post("/api/jobs/sleepy/executions", api.operator(), null);
    assertThat(started.status()).as(started.toString()).isEqualTo(202);
    return started.json().get("id").asText();
  }

  static JsonNode awaitStatus(String id, String status) {
    return Eventually.await(id + " is " + status, WAIT,
        () -> api.get("/api/executions/" + id, api.viewer()).json(),
        view -> status.equals(view.path("status").asText()));
  }

  // ---------------------------------------------------------------- health

  @Test
  void healthNeedsNoTokenAndTheNodeBecomesReady() {
    assertThat(api.get("/health/alive", null).json().get("status").asText()).isEqualTo("alive");
    Answer ready = Eventually.await("ready", WAIT, () -> api.get("/health/ready", null),
        answer -> answer.status() == 200);
    assertThat(ready.json().get("status").asText()).isEqualTo("ready");
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void aMissingTokenIs401WithABearerChallenge() {
    Answer answer = api.get("/api/jobs", null);
    assertProblem(answer, 401);
    assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void anExpiredTokenIs401() {
    BearerTokens tokens = BearerTokens.from(new HttpSettings.JwtSettings(ApiServer.SECRET, null,
        Duration.ofDays(1), Duration.ofSeconds(30)));
    String expired = tokens.issue("vera", List.of("viewer"), Duration.ofHours(-1));
    assertProblem(api.get("/api/jobs", expired), 401);
    assertThat(api.get("/api/jobs", expired).json().get("detail").asText()).contains("expired");
  }

  @Test
  void anUnsignedAlgNoneTokenIs401() {
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"eve\","
        + "\"roles\":[\"admin\"],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}") + ".";
    assertProblem(api.get("/api/jobs", none), 401);
    assertProblem(api.put("/api/jobs/evil", none, QUICK), 401);
  }

  @Test
  void aWronglySignedTokenIs401() {
    BearerTokens other = BearerTokens.from(new HttpSettings.JwtSettings(
        "some-other-secret-some-other-secret-0123", null, Duration.ofDays(1), Duration.ZERO));
    assertProblem(api.get("/api/jobs", other.issue("eve", List.of("admin"),
        Duration.ofMinutes(5))), 401);
  }

  @Test
  void aMalformedTokenOrSchemeIs401() {
    assertProblem(api.get("/api/jobs", "not-a-jwt"), 401);
    assertProblem(api.send("GET", "/api/jobs", null, null, "Authorization", "Basic YTpi"), 401);
  }

  @Test
  void aTokenInTheUrlIsNotAccepted() {
    assertProblem(api.get("/api/jobs?access_token=" + api.admin(), null), 401);
  }

  // ---------------------------------------------------------------- roles

  @Test
  void aViewerReadsButNeitherDefinesNorStartsNorStops() {
    String viewer = api.viewer();
    assertThat(api.get("/api/jobs", viewer).status()).isEqualTo(200);
    assertThat(api.get("/api/jobs/quick", viewer).status()).isEqualTo(200);
    assertProblem(api.put("/api/jobs/quick", viewer, QUICK), 403);
    assertProblem(api.send("DELETE", "/api/jobs/quick", viewer, null), 403);
    assertProblem(api.post("/api/jobs/quick/executions", viewer, null), 403);
    String id = startSleepy();
    assertProblem(api.post("/api/executions/" + id + "/stop", viewer, null), 403);
    assertProblem(api.post("/api/executions/stop", viewer, "{\"ids\":[\"" + id + "\"]}"), 403);
    assertProblem(api.post("/api/executions/" + id + "/retry", viewer, null), 403);
    assertThat(awaitStatus(id, "Running").get("status").asText()).isEqualTo("Running");
  }

  @Test
  void anOperatorRunsAndStopsButDoesNotDefineJobs() {
    assertProblem(api.put("/api/jobs/quick", api.operator(), QUICK), 403);
    assertProblem(api.send("DELETE", "/api/jobs/quick", api.operator(), null), 403);
    String id = startSleepy();
    assertThat(api.post("/api/executions/" + id + "/stop?force=true", api.operator(), null)
        .status()).isEqualTo(202);
  }

  @Test
  void aTokenWithoutAKnownRoleIs403() {
    assertProblem(api.get("/api/jobs", api.token("nobody", "guest")), 403);
  }

  // ---------------------------------------------------------------- jobs

  @Test
  void definingAJobIs201ThenReplacingIs200AndItIsListedReadAndDeleted() {
    String admin = api.admin();
    Answer created = api.put("/api/jobs/crud", admin, QUICK);
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().get("createdBy").asText()).isEqualTo("ada");
    assertThat(created.json().get("version").asInt()).isEqualTo(1);
    Answer replaced = api.put("/api/jobs/crud", admin, SLEEPY);
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.json().get("version").asInt()).isEqualTo(2);
    assertThat(replaced.json().at("/definition/steps/0/type").asText()).isEqualTo("sleep");
    List<String> names = new ArrayList<>();
    api.get("/api/jobs", api.viewer()).json().get("items")
        .forEach(job -> names.add(job.get("name").asText()));
    assertThat(names).contains("crud", "quick", "sleepy");
    assertThat(api.get("/api/jobs/crud", api.viewer()).json().at("/definition/steps/0/name")
        .asText()).isEqualTo("nap");
    assertThat(api.send("DELETE", "/api/jobs/crud", admin, null).status()).isEqualTo(204);
    assertProblem(api.get("/api/jobs/crud", api.viewer()), 404);
    assertProblem(api.send("DELETE", "/api/jobs/crud", admin, null), 404);
  }

  @Test
  void anInvalidJobIs400WithEveryErrorAndChangesNothing() {
    Answer answer = api.put("/api/jobs/bad", api.admin(), "{\"steps\":[{\"name\":\"a\","
        + "\"type\":\"shell\"},{\"name\":\"a\",\"type\":\"teleport\"}],\"timeoutSeconds\":0}");
    assertProblem(answer, 400);
    List<String> errors = new ArrayList<>();
    answer.json().get("errors").forEach(e -> errors.add(e.asText()));
    assertThat(errors).anyMatch(e -> e.startsWith("steps[0].command"))
        .anyMatch(e -> e.startsWith("steps[1].name"))
        .anyMatch(e -> e.startsWith("steps[1].type"))
        .anyMatch(e -> e.startsWith("timeoutSeconds"));
    assertProblem(api.get("/api/jobs/bad", api.viewer()), 404);
  }

  @Test
  void malformedJsonWrongTypesUnknownFieldsAndBadNamesAre400() {
    String admin = api.admin();
    assertProblem(api.put("/api/jobs/bad", admin, "{\"steps\": ["), 400);
    assertProblem(api.put("/api/jobs/bad", admin, "{\"steps\": \"echo\"}"), 400);
    assertProblem(api.put("/api/jobs/bad", admin, "{\"steps\":[],\"timeoutSeconds\":\"5\"}"), 400);
    assertProblem(api.put("/api/jobs/bad", admin, QUICK.replace("}]}", "}],\"colour\":1}")), 400);
    assertProblem(api.put("/api/jobs/bad", admin, "[1,2]"), 400);
    assertProblem(api.put("/api/jobs/bad", admin, ""), 400);
    assertProblem(api.put("/api/jobs/Bad%20Name", admin, QUICK), 400);
    assertProblem(api.get("/api/jobs/UPPER", api.viewer()), 400);
  }

  @Test
  void anOversizedBodyIs413() {
    String huge = "{\"description\":\"" + "x".repeat(100_000) + "\",\"steps\":[]}";
    assertProblem(api.put("/api/jobs/huge", api.admin(), huge), 413);
  }

  // ---------------------------------------------------------------- starting

  @Test
  void startingIs202WithLocationAndTheView() {
    Answer started = api.post("/api/jobs/quick/executions", api.operator(), null);
    assertThat(started.status()).isEqualTo(202);
    JsonNode view = started.json();
    assertThat(started.header("Location")).isEqualTo("/api/executions/" + view.get("id").asText());
    assertThat(view.get("job").asText()).isEqualTo("quick");
    assertThat(view.get("createdBy").asText()).isEqualTo("otto");
    assertThat(view.get("status").asText()).isEqualTo("Running");
    assertThat(awaitStatus(view.get("id").asText(), "Success").at("/steps/0/exitCode").asInt())
        .isZero();
  }

  @Test
  void aRepeatedStartWithTheSameIdempotencyKeyReturnsTheSameExecutionWith200() {
    String key = UUID.randomUUID().toString();
    Answer first = api.post("/api/jobs/sleepy/executions", api.operator(), null,
        "Idempotency-Key", key);
    Answer again = api.post("/api/jobs/sleepy/executions", api.operator(), null,
        "Idempotency-Key", key);
    Answer other = api.post("/api/jobs/sleepy/executions", api.operator(), null,
        "Idempotency-Key", key + "-other");
    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(again.header("Location")).isEqualTo(first.header("Location"));
    assertThat(other.status()).isEqualTo(202);
    assertThat(other.json().get("id")).isNotEqualTo(first.json().get("id"));
  }

  @Test
  void aStartAtInTheFutureLeavesTheExecutionPending() {
    Answer started = api.post("/api/jobs/quick/executions", api.operator(),
        "{\"startAt\":\"" + Instant.now().plusSeconds(3600) + "\"}");
    assertThat(started.status()).isEqualTo(202);
    assertThat(started.json().get("status").asText()).isEqualTo("Pending");
  }

  @Test
  void startingAnUnknownJobIs404AndABadBodyIs400() {
    assertProblem(api.post("/api/jobs/nosuch/executions", api.operator(), null), 404);
    assertProblem(api.post("/api/jobs/quick/executions", api.operator(),
        "{\"startAt\":\"tomorrow\"}"), 400);
    assertProblem(api.post("/api/jobs/quick/executions", api.operator(), "{\"when\":1}"), 400);
  }

  // ---------------------------------------------------------------- reading

  @Test
  void readingIs200ForAKnownExecution404ForAnUnknownOneAnd400ForABadId() {
    String id = startSleepy();
    assertThat(api.get("/api/executions/" + id, api.viewer()).json().get("id").asText())
        .isEqualTo(id);
    assertProblem(api.get("/api/executions/" + UUID.randomUUID(), api.viewer()), 404);
    assertProblem(api.get("/api/executions/not-a-uuid", api.viewer()), 400);
  }

  @Test
  void requestsForIdsThatNeverExistedWriteNothing() {
    startSleepy();
    long before = api.journalRows();
    for (int i = 0; i < 10; i++) {
      String id = UUID.randomUUID().toString();
      assertProblem(api.get("/api/executions/" + id, api.viewer()), 404);
      assertProblem(api.post("/api/executions/" + id + "/stop?force=true", api.operator(),
          "{}"), 404);
      assertProblem(api.post("/api/executions/" + id + "/retry", api.operator(), null), 404);
    }
    JsonNode bulk = api.post("/api/executions/stop", api.operator(),
        "{\"ids\":[\"" + UUID.randomUUID() + "\"]}").json();
    assertThat(bulk.at("/results/0/outcome").asText()).isEqualTo("unknown");
    assertThat(api.journalRows()).as("journal rows after 31 requests for unknown ids")
        .isEqualTo(before);
  }

  @Test
  void historyListsTheJournaledEventsAndAsOfReplaysToOne() {
    String id = startSleepy();
    api.post("/api/executions/" + id + "/stop?force=true", api.operator(),
        "{\"reason\":\"enough\"}");
    awaitStatus(id, "Cancelled");
    JsonNode events = api.get("/api/executions/" + id + "/history", api.viewer()).json()
        .get("events");
    List<String> types = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).get("seq").asLong()).isEqualTo(i + 1);
      assertThat(events.get(i).get("at").asText()).isNotBlank();
      types.add(events.get(i).get("type").asText());
    }
    assertThat(types).containsExactly("ExecutionCreated", "ExecutionStarted", "StepStarted",
        "StopRequested", "StepInterrupted", "ExecutionCancelled");
    assertThat(events.get(3).get("requestedBy").asText()).isEqualTo("otto");
    assertThat(events.get(3).get("reason").asText()).isEqualTo("enough");

    JsonNode asOfOne = api.get("/api/executions/" + id + "?asOf=1", api.viewer()).json();
    assertThat(asOfOne.get("status").asText()).isEqualTo("Pending");
    assertThat(asOfOne.get("sequenceNr").asLong()).isEqualTo(1);
    JsonNode asOfFour = api.get("/api/executions/" + id + "?asOf=4", api.viewer()).json();
    assertThat(asOfFour.get("status").asText()).isEqualTo("Cancelling");
    assertThat(asOfFour.at("/cancellation/mode").asText()).isEqualTo("force");
    JsonNode now = api.get("/api/executions/" + id, api.viewer()).json();
    JsonNode replayedToEnd = api.get("/api/executions/" + id + "?asOf=999", api.viewer()).json();
    assertThat(replayedToEnd).isEqualTo(now);

    assertProblem(api.get("/api/executions/" + id + "?asOf=0", api.viewer()), 400);
    assertProblem(api.get("/api/executions/" + id + "?asOf=x", api.viewer()), 400);
    assertProblem(api.get("/api/executions/" + UUID.randomUUID() + "?asOf=1", api.viewer()), 404);
    assertProblem(api.get("/api/executions/" + UUID.randomUUID() + "/history", api.viewer()), 404);
  }

  // ---------------------------------------------------------------- stopping

  @Test
  void aGracefulStopIs202AndRecordsWhoWhyAndHow() {
    String id = startSleepy();
    Answer stopped = api.post("/api/executions/" + id + "/stop?force=false", api.operator(),
        "{\"reason\":\"maintenance\",\"graceSeconds\":120}");
    assertThat(stopped.status()).as(stopped.toString()).isEqualTo(202);
    JsonNode view = stopped.json();
    assertThat(view.get("status").asText()).isEqualTo("Cancelling");
    assertThat(view.at("/cancellation/mode").asText()).isEqualTo("graceful");
    assertThat(view.at("/cancellation/reason").asText()).isEqualTo("maintenance");
    assertThat(view.at("/cancellation/requestedBy").asText()).isEqualTo("otto");
    Instant requested = Instant.parse(view.at("/cancellation/requestedAt").asText());
    assertThat(Instant.parse(view.at("/cancellation/graceDeadline").asText()))
        .isEqualTo(requested.plusSeconds(120));
    // a second graceful stop is idempotent, a force stop escalates
    assertThat(api.post("/api/executions/" + id + "/stop", api.operator(), null).status())
        .isEqualTo(202);
    Answer forced = api.post("/api/executions/" + id + "/stop?force=true", api.admin(), null);
    assertThat(forced.status()).isEqualTo(202);
    assertThat(forced.json().get("status").asText()).isEqualTo("Cancelled");
    assertThat(forced.json().at("/cancellation/mode").asText()).isEqualTo("escalated");
    assertThat(forced.json().at("/cancellation/escalatedBy").asText()).isEqualTo("ada");
  }

  @Test
  void stoppingAnUnknownExecutionIs404AndAnEndedOneIs409WithItsStatus() {
    assertProblem(api.post("/api/executions/" + UUID.randomUUID() + "/stop", api.operator(),
        null), 404);
    String id = api.post("/api/jobs/quick/executions", api.operator(), null).json().get("id")
        .asText();
    awaitStatus(id, "Success");
    Answer conflict = api.post("/api/executions/" + id + "/stop", api.operator(), null);
    assertProblem(conflict, 409);
    assertThat(conflict.json().get("executionStatus").asText()).isEqualTo("Success");
  }

  @Test
  void badStopRequestsAre400AndStopNothing() {
    String id = startSleepy();
    String path = "/api/executions/" + id + "/stop";
    assertProblem(api.post(path + "?force=yes", api.operator(), null), 400);
    assertProblem(api.post(path, api.operator(), "{\"reason\":\"x}"), 400);
    assertProblem(api.post(path, api.operator(),
        "{\"reason\":\"" + "r".repeat(1001) + "\"}"), 400);
    assertProblem(api.post(path, api.operator(), "{\"graceSeconds\":-1}"), 400);
    assertProblem(api.post(path, api.operator(), "{\"graceSeconds\":\"soon\"}"), 400);
    assertProblem(api.post("/api/executions/nope/stop", api.operator(), null), 400);
    assertThat(api.get("/api/executions/" + id, api.viewer()).json().get("status").asText())
        .isEqualTo("Running");
  }

  @Test
  void aBulkStopAnswersForEachId() {
    String running = startSleepy();
    String ended = api.post("/api/jobs/quick/executions", api.operator(), null).json().get("id")
        .asText();
    awaitStatus(ended, "Success");
    String unknown = UUID.randomUUID().toString();
    Answer answer = api.post("/api/executions/stop", api.operator(), "{\"ids\":[\"" + running
        + "\",\"" + ended + "\",\"" + unknown + "\"],\"force\":true,\"reason\":\"bulk\"}");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    JsonNode results = answer.json().get("results");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).get("id").asText()).isEqualTo(running);
    assertThat(results.get(0).get("outcome").asText()).isEqualTo("accepted");
    assertThat(results.get(0).get("status").asText()).isEqualTo("Cancelled");
    assertThat(results.get(1).get("outcome").asText()).isEqualTo("refused");
    assertThat(results.get(1).get("status").asText()).isEqualTo("Success");
    assertThat(results.get(2).get("outcome").asText()).isEqualTo("unknown");
    assertThat(results.get(2).get("status").isNull()).isTrue();
    assertThat(api.get("/api/executions/" + running, api.viewer()).json()
        .at("/cancellation/reason").asText()).isEqualTo("bulk");
  }

  @Test
  void aBadBulkStopIs400AndStopsNothing() {
    String running = startSleepy();
    assertProblem(api.post("/api/executions/stop", api.operator(), "{\"ids\":[]}"), 400);
    assertProblem(api.post("/api/executions/stop", api.operator(), null), 400);
    assertProblem(api.post("/api/executions/stop", api.operator(),
        "{\"ids\":[\"" + running + "\",\"nope\"]}"), 400);
    assertThat(api.get("/api/executions/" + running, api.viewer()).json().get("status").asText())
        .isEqualTo("Running");
  }

  // ---------------------------------------------------------------- retrying

  @Test
  void retryingAnUnsuccessfulExecutionStartsALinkedOne() {
    String failed = api.post("/api/jobs/failing/executions", api.operator(), null).json()
        .get("id").asText();
    awaitStatus(failed, "Failed");
    Answer retried = api.post("/api/executions/" + failed + "/retry", api.operator(), null);
    assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
    JsonNode view = retried.json();
    assertThat(view.get("retryOf").asText()).isEqualTo(failed);
    assertThat(view.get("id").asText()).isNotEqualTo(failed);
    assertThat(retried.header("Location")).isEqualTo("/api/executions/" + view.get("id").asText());
    assertThat(view.get("job").asText()).isEqualTo("failing");
  }

  @Test
  void retryingIs409ForASuccessfulOrRunningExecutionAnd404ForAnUnknownOne() {
    String running = startSleepy();
    assertProblem(api.post("/api/executions/" + running + "/retry", api.operator(), null), 409);
    String ok = api.post("/api/jobs/quick/executions", api.operator(), null).json().get("id")
        .asText();
    awaitStatus(ok, "Success");
    Answer conflict = api.post("/api/executions/" + ok + "/retry", api.operator(), null);
    assertProblem(conflict, 409);
    assertThat(conflict.json().get("executionStatus").asText()).isEqualTo("Success");
    assertProblem(api.post("/api/executions/" + UUID.randomUUID() + "/retry", api.operator(),
        null), 404);
  }

  @Test
  void noBadInputIsEverA500() {
    List<String> bodies = List.of("null", "{}", "[]", "\"steps\"", "{\"steps\":[null]}",
        "{\"steps\":[{}]}", "{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":[null]}]}",
        "{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":[\"x\"],\"env\":{\"A\":null}}]}",
        "{\"steps\":[{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":1,\"retry\":{}}]}",
        "{\"steps\":[{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":1,\"retry\":{\"maxAttempts\":null}}]}",
        "{\"steps\":[{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":\"NaN\"}]}",
        "{\"steps\":[],\"timeoutSeconds\":99999999999999}", "{\"steps\":[],\"timeoutSeconds\":1e400}",
        "[".repeat(5000), "{\"steps\":[]}garbage", "\u0000", "{\"steps\":[{\"name\":\"a\",\"type\":null}]}");
    for (String body : bodies) {
      Answer job = api.put("/api/jobs/fuzz", api.admin(), body);
      assertThat(job.status()).as(body + " -> " + job).isBetween(400, 499);
      Answer start = api.post("/api/jobs/quick/executions", api.operator(), body);
      assertThat(start.status()).as(body + " -> " + start).isLessThan(500);
      Answer bulk = api.post("/api/executions/stop", api.operator(), body);
      assertThat(bulk.status()).as(body + " -> " + bulk).isLessThan(500);
      Answer stop = api.post("/api/executions/" + UUID.randomUUID() + "/stop", api.operator(),
          body);
      assertThat(stop.status()).isIn(400, 404);
      assertThat(stop.status()).as(body + " -> " + stop).isLessThan(500);
    }
    assertProblem(api.get("/api/jobs/fuzz", api.viewer()), 404);
  }

  // ---------------------------------------------------------------- the rest

  @Test
  void unknownPathsAre404AndWrongMethods405AsProblems() {
    assertProblem(api.get("/api/nothing-here", api.admin()), 404);
    assertProblem(api.send("PATCH", "/api/jobs/quick", api.admin(), "{}"), 405);
    assertProblem(api.get("/api/executions/stop", api.admin()), 405);
  }

  @Test
  void theOpenApiDocumentIsServedToViewers() {
    Answer doc = api.get("/api/openapi.yaml", api.viewer());
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.raw().body()).startsWith("openapi: 3");
    assertProblem(api.get("/api/openapi.yaml", null), 401);
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
