package dev.stepwise.http;

import dev.stepwise.engine.execution.Status;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/executions} and {@code GET /api/dead-letters}: pages of execution summaries
 * from the read side, newest first, without waking any execution.
 */
public final class ExecutionListRoutes extends AllDirectives {

  static final int DEFAULT_LIMIT = 50;

  private final ExecutionSummaries summaries;
  private final AuthDirectives auth;
  private final Executor executor;

  public ExecutionListRoutes(ExecutionSummaries summaries, AuthDirectives auth,
      Executor executor) {
    this.summaries = summaries;
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
            page(Optional.of(Status.DeadLetter.name()), Optional.empty())))));
  }

  private Route page(Optional<String> status, Optional<String> job) {
    return parameterOptional("limit", rawLimit -> parameterOptional("cursor", rawCursor -> {
      int limit = RequestParsing.nonNegativeLong(rawLimit, "limit", 1)
          .map(l -> (int) Math.min(l, ExecutionSummaries.MAX_LIMIT)).orElse(DEFAULT_LIMIT);
      String cursor = rawCursor.filter(c -> !c.isEmpty()).orElse(null);
      try {
        return completeWithFuture(Responses.recovered(summaries
            .list(status.orElse(null), job.orElse(null), limit, cursor)
            .thenApplyAsync(page -> Responses.json(200, page), executor)));
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest(e.getMessage());
      }
    }));
  }

  private static String status(String raw) {
    return Arrays.stream(Status.values()).map(Status::name).filter(raw::equals).findFirst()
        .orElseThrow(() -> ApiProblem.badRequest("status: one of "
            + Arrays.toString(Status.values())));
  }
}
