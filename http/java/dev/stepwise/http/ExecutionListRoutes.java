package dev.stepwise.http;

import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The routes served from the read side: lists with filters and cursors, the dead-letter queue,
 * and the job-wide stop. Eventually consistent: an execution shows up here once the summary
 * projection has seen its events, typically well under a second after they were journaled.
 */
public final class ExecutionListRoutes extends AllDirectives {

  static final int DEFAULT_LIMIT = 50;

  private final ExecutionService executions;
  private final AuthDirectives auth;
  private final Executor executor;

  ExecutionListRoutes(ExecutionService executions, AuthDirectives auth, Executor executor) {
    this.executions = executions;
    this.auth = auth;
    this.executor = executor;
  }

  public Route route() {
    return concat(
        path("executions", () -> get(() -> auth.authorized(Role.viewer, caller ->
            parameterOptional("status", status -> parameterOptional("job", job ->
                page(status.filter(s -> !s.isEmpty()).map(ExecutionListRoutes::status),
                    job.filter(j -> !j.isEmpty()).map(RequestParsing::jobName))))))),
        path("dead-letters", () -> get(() -> auth.authorized(Role.viewer, caller ->
            page(Optional.of(Status.DeadLetter.name()), Optional.empty())))),
        pathPrefix("jobs", () -> pathPrefix(segment -> path("stop", () -> post(() ->
            auth.authorized(Role.operator, caller -> parameterOptional("force", force ->
                JsonBody.text(body -> stopJob(caller, segment, force, body)))))))));
  }

  private Route page(Optional<String> status, Optional<String> job) {
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

  /** Stops every execution of the job that the read side knows to be unfinished. */
  private Route stopJob(Caller caller, String rawJob, Optional<String> rawForce, String body) {
    String job = RequestParsing.jobName(rawJob);
    StopMode mode = RequestParsing.flag(rawForce, "force") ? StopMode.force : StopMode.graceful;
    ApiMessages.StopRequest request = Json.read(body, ApiMessages.StopRequest.class);
    String reason = request == null ? null : RequestParsing.reason(request.reason());
    return completeWithFuture(Responses.recovered(
        executions.stopJob(job, mode, reason, caller.subject())
            .thenApplyAsync(Responses::stoppedEach, executor)));
  }

  private static String status(String raw) {
    return Arrays.stream(Status.values()).map(Status::name).filter(raw::equals).findFirst()
        .orElseThrow(() -> ApiProblem.badRequest("status: one of "
            + Arrays.toString(Status.values())));
  }
}
