package dev.stepwise.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobValidation;
import dev.stepwise.http.ApiMessages.BulkStopRequest;
import dev.stepwise.http.ApiMessages.BulkStopResponse;
import dev.stepwise.http.ApiMessages.HistoryResponse;
import dev.stepwise.http.ApiMessages.StopRequest;
import dev.stepwise.persistence.ExecutionJournal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /api/executions}: read, replay, stop and retry executions. */
public final class ExecutionsRoutes extends AllDirectives {

  private final JournaledExecutions journaled;
  private final ExecutionJournal journal;
  private final AuthDirectives auth;
  private final HttpSettings settings;
  private final Executor executor;

  ExecutionsRoutes(JournaledExecutions journaled,
      ExecutionJournal journal, AuthDirectives auth, HttpSettings settings, Executor executor) {
    this.journaled = journaled;
    this.journal = journal;
    this.auth = auth;
    this.settings = settings;
    this.executor = executor;
  }

  public Route route() {
    return pathPrefix("executions", () -> concat(
        path("stop", () -> post(() -> auth.authorized(Role.operator, caller ->
            body(b -> stopAll(caller, b))))),
        // "stop" is taken by the bulk route: other methods on it get 405, not a bad id
        pathPrefix(segment(), id -> "stop".equals(id) ? reject() : concat(
            pathEnd(() -> get(() -> auth.authorized(Role.viewer, caller ->
                parameterOptional("asOf", asOf -> get(id, asOf))))),
            path("history", () -> get(() -> auth.authorized(Role.viewer, caller -> history(id)))),
            path("stop", () -> post(() -> auth.authorized(Role.operator, caller ->
                parameterOptional("force", force -> body(b -> stop(caller, id, force, b)))))),
            path("retry", () -> post(() -> auth.authorized(Role.operator, caller ->
                optionalHeaderValueByName("Idempotency-Key", key -> retry(caller, id, key)))))))));
  }

  private Route body(Function<String, Route> inner) {
    return JsonBody.text(inner);
  }

  private Route get(String rawId, Optional<String> rawAsOf) {
    String id = RequestParsing.executionId(rawId, "id");
    Optional<Long> asOf = RequestParsing.nonNegativeLong(rawAsOf, "asOf", 1);
    if (asOf.isPresent()) {
      return completeWithFuture(Responses.recovered(journal.replay(id, asOf.get())
          .thenApplyAsync(view -> Responses.json(200, ApiMessages.ExecutionResponse.of(
              view.orElseThrow(() -> Responses.unknownExecution(id)))), executor)));
    }
    return completeWithFuture(Responses.recovered(
        journaled.get(id).thenApplyAsync(read -> Responses.read(id, read), executor)));
  }

  private Route history(String rawId) {
    String id = RequestParsing.executionId(rawId, "id");
    return completeWithFuture(Responses.recovered(journal.history(id, Long.MAX_VALUE)
        .thenApplyAsync(entries -> historyResponse(id, entries), executor)));
  }

  private static HttpResponse historyResponse(String id, List<ExecutionJournal.Entry> entries) {
    if (entries.isEmpty()) {
      throw Responses.unknownExecution(id);
    }
    return Responses.json(200, new HistoryResponse(id,
        entries.stream().map(ExecutionsRoutes::historyEvent).toList()));
  }

  /** {@code {seq, type, at, ...fields}} of one journaled event. */
  static Map<String, Object> historyEvent(ExecutionJournal.Entry entry) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("seq", entry.seq());
    event.put("type", entry.event().type());
    ObjectNode fields = Json.MAPPER.valueToTree(entry.event());
    event.put("at", fields.get("at"));
    fields.properties().forEach(field -> event.putIfAbsent(field.getKey(), field.getValue()));
    return event;
  }

  private Route stop(Caller caller, String rawId, Optional<String> rawForce, String body) {
    String id = RequestParsing.executionId(rawId, "id");
    boolean force = RequestParsing.flag(rawForce, "force");
    StopRequest request = Json.read(body, StopRequest.class);
    String reason = request == null ? null : RequestParsing.reason(request.reason());
    Integer grace = request == null ? null : request.graceSeconds();
    if (grace != null && (grace < 0 || grace > JobValidation.MAX_SECONDS)) {
      throw ApiProblem.badRequest("graceSeconds: between 0 and " + JobValidation.MAX_SECONDS);
    }
    StopMode mode = force ? StopMode.force : StopMode.graceful;
    return completeWithFuture(Responses.recovered(
        journaled.stop(id, mode, reason, caller.subject(), grace)
            .whenCompleteAsync((reply, failure) -> ExecutionRequestLog.stopAnswered(
                caller.subject(), id, mode, reply, failure), executor)
            .thenApplyAsync(Responses::stopped, executor)));
  }

  private Route stopAll(Caller caller, String body) {
    BulkStopRequest request = Json.read(body, BulkStopRequest.class);
    if (request == null || request.ids() == null || request.ids().isEmpty()) {
      throw ApiProblem.badRequest("ids: a non-empty list of execution ids is required");
    }
    if (request.ids().size() > settings.maxBulkIds()) {
      throw ApiProblem.badRequest("ids: at most " + settings.maxBulkIds() + " ids");
    }
    List<String> errors = new ArrayList<>();
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < request.ids().size(); i++) {
      try {
        ids.add(RequestParsing.executionId(request.ids().get(i), "ids[" + i + "]"));
      } catch (ApiProblem problem) {
        errors.add(problem.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.badRequest(errors);
    }
    String reason = RequestParsing.reason(request.reason());
    StopMode mode = Boolean.TRUE.equals(request.force()) ? StopMode.force : StopMode.graceful;
    return completeWithFuture(Responses.recovered(
        BulkStop.stopEach(journaled, ids, mode, reason, caller.subject(), executor)
            .thenApplyAsync(results -> Responses.json(200, new BulkStopResponse(results)),
                executor)));
  }

  /**
   * A new execution of the same definition as a terminal, unsuccessful one, linked by
   * {@code retryOf}. With an Idempotency-Key a repeated retry returns the same new execution.
   */
  private Route retry(Caller caller, String rawId, Optional<String> rawKey) {
    String id = RequestParsing.executionId(rawId, "id");
    Optional<String> key = RequestParsing.idempotencyKey(rawKey);
    String newId = key.map(k -> UUID.nameUUIDFromBytes(("retry/" + id + "/" + k)
            .getBytes(StandardCharsets.UTF_8)).toString())
        .orElseGet(() -> UUID.randomUUID().toString());
    return completeWithFuture(Responses.recovered(journaled.get(id)
        .thenApplyAsync(read -> read.orElseThrow(() -> Responses.unknownExecution(id)).view(),
            executor)
        .thenApplyAsync(ExecutionsRoutes::retryable, executor)
        .thenComposeAsync(old -> journaled.start(newId, old.job(), old.definition(), null,
            caller.subject(), id), executor)
        .whenCompleteAsync((reply, failure) -> ExecutionRequestLog.startAnswered(
            caller.subject(), reply), executor)
        .thenApplyAsync(reply -> Responses.started(reply, key.isPresent()), executor)));
  }

  private static ExecutionView retryable(ExecutionView old) {
    if (!old.status().isTerminal() || old.status() == Status.Success) {
      throw ApiProblem.conflict("execution " + old.id() + " is " + old.status()
          + "; only an execution that ended unsuccessfully can be retried",
          Map.of("executionStatus", old.status()));
    }
    return old;
  }
}
