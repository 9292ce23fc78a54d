package dev.stepwise.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobValidation;
import dev.stepwise.http.ApiMessages.BulkStopRequest;
import dev.stepwise.http.ApiMessages.StopRequest;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/executions}: list, read, replay, stop (one or many) and retry executions, and
 * {@code /api/dead-letters}, the list of those that gave up. Lists come from the read side and are
 * eventually consistent: an execution shows up there once the summary projection has seen its
 * events, typically well under a second after they were journaled.
 */
public final class ExecutionsRoutes extends AllDirectives {

  static final int DEFAULT_LIMIT = 50;

  private final ExecutionService executions;
  private final AuthDirectives auth;
  private final int maxBulkIds;
  private final Executor executor;

  ExecutionsRoutes(ExecutionService executions, AuthDirectives auth, HttpSettings settings,
      Executor executor) {
    this.executions = executions;
    this.auth = auth;
    this.maxBulkIds = settings.maxBulkIds();
    this.executor = executor;
  }

  public Route route() {
    return concat(
        pathPrefix("executions", () -> concat(
            pathEnd(() -> get(() -> auth.authorized(Role.viewer, caller ->
                parameterOptional("status", status -> parameterOptional("job", job ->
                    list(status.filter(s -> !s.isEmpty()).map(ExecutionsRoutes::status),
                        job.filter(j -> !j.isEmpty()).map(RequestParsing::jobName))))))),
            path("stop", () -> post(() -> auth.authorized(Role.operator, caller ->
                body(b -> stopAll(caller, b))))),
            // "stop" is taken by the bulk route: other methods on it get 405, not a bad id
            pathPrefix(segment(), id -> "stop".equals(id) ? reject() : concat(
                pathEnd(() -> get(() -> auth.authorized(Role.viewer, caller ->
                    parameterOptional("asOf", asOf -> get(id, asOf))))),
                path("history", () -> get(() -> auth.authorized(Role.viewer, caller ->
                    history(id)))),
                path("stop", () -> post(() -> auth.authorized(Role.operator, caller ->
                    parameterOptional("force", force -> body(b -> stop(caller, id, force, b)))))),
                path("retry", () -> post(() -> auth.authorized(Role.operator, caller ->
                    optionalHeaderValueByName("Idempotency-Key", key ->
                        retry(caller, id, key))))))))),
        path("dead-letters", () -> get(() -> auth.authorized(Role.viewer, caller ->
            list(Optional.of(Status.DeadLetter.name()), Optional.empty())))));
  }

  private Route body(Function<String, Route> inner) {
    return JsonBody.text(inner);
  }

  private Route list(Optional<String> status, Optional<String> job) {
    return parameterOptional("limit", rawLimit -> parameterOptional("cursor", cursor -> {
      int limit = RequestParsing.nonNegativeLong(rawLimit, "limit", 1)
          .map(l -> (int) Math.min(l, ExecutionSummaries.MAX_LIMIT)).orElse(DEFAULT_LIMIT);
      CompletableFuture<ExecutionSummaries.Page> page;
      try {
        page = executions.list(status.orElse(null), job.orElse(null), limit,
            cursor.filter(c -> !c.isEmpty()).orElse(null)).toCompletableFuture();
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest(e.getMessage());
      }
      return completeWithFuture(Responses.recovered(
          page.thenApplyAsync(p -> Responses.json(200, p), executor)));
    }));
  }

  private static String status(String raw) {
    return Arrays.stream(Status.values()).map(Status::name).filter(raw::equals).findFirst()
        .orElseThrow(() -> ApiProblem.badRequest("status: one of "
            + Arrays.toString(Status.values())));
  }

  private Route get(String rawId, Optional<String> rawAsOf) {
    String id = RequestParsing.executionId(rawId, "id");
    Optional<Long> asOf = RequestParsing.nonNegativeLong(rawAsOf, "asOf", 1);
    if (asOf.isPresent()) {
      return completeWithFuture(Responses.recovered(executions.asOf(id, asOf.get())
          .thenApplyAsync(view -> Responses.replayed(id, view), executor)));
    }
    return completeWithFuture(Responses.recovered(
        executions.get(id).thenApplyAsync(read -> Responses.read(id, read), executor)));
  }

  private Route history(String rawId) {
    String id = RequestParsing.executionId(rawId, "id");
    return completeWithFuture(Responses.recovered(executions.history(id)
        .thenApplyAsync(entries -> Responses.history(id, entries), executor)));
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
        executions.stop(id, mode, reason, caller.subject(), grace)
            .thenApplyAsync(Responses::stopped, executor)));
  }

  private Route stopAll(Caller caller, String body) {
    BulkStopRequest request = Json.read(body, BulkStopRequest.class);
    if (request == null || request.ids() == null || request.ids().isEmpty()) {
      throw ApiProblem.badRequest("ids: a non-empty list of execution ids is required");
    }
    if (request.ids().size() > maxBulkIds) {
      throw ApiProblem.badRequest("ids: at most " + maxBulkIds + " ids");
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
        executions.stopEach(ids, mode, reason, caller.subject())
            .thenApplyAsync(Responses::stoppedEach, executor)));
  }

  /** With an Idempotency-Key a repeated retry returns the same new execution. */
  private Route retry(Caller caller, String rawId, Optional<String> rawKey) {
    String id = RequestParsing.executionId(rawId, "id");
    Optional<String> key = RequestParsing.idempotencyKey(rawKey);
    return completeWithFuture(Responses.recovered(executions.retry(id, key, caller.subject())
        .thenApplyAsync(outcome -> Responses.started(outcome, key.isPresent()), executor)));
  }
}
