package dev.stepwise.http;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.http.ApiMessages.BulkStopResponse;
import dev.stepwise.http.ApiMessages.BulkStopResult;
import dev.stepwise.http.ApiMessages.ExecutionResponse;
import dev.stepwise.http.ApiMessages.HistoryResponse;
import dev.stepwise.http.ApiMessages.JobResponse;
import dev.stepwise.persistence.ExecutionJournal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns entity replies, problems, rejections and exceptions into HTTP
 * responses and status codes. Bad input never becomes a 500; a timed-out ask is a 503.
 */
public final class Responses {

  public static final ContentType PROBLEM_JSON = ContentTypes.create(
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

  static final long RETRY_AFTER_SECONDS = 5;

  private Responses() {}

  // ---------------------------------------------------------------- building blocks

  public static HttpResponse json(int status, Object body, HttpHeader... headers) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(body)))
        .addHeaders(Arrays.asList(headers));
  }

  public static HttpResponse problem(ApiProblem problem) {
    HttpResponse response = HttpResponse.create().withStatus(problem.status())
        .withEntity(HttpEntities.create(PROBLEM_JSON, Json.write(problem.body())));
    return problem.status() == 401
        ? response.addHeader(WWWAuthenticate.create(HttpChallenge.createOAuth2("stepwise")))
        : response;
  }

  public static HttpResponse fromThrowable(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiProblem problem) {
      return problem(problem);
    }
    if (cause instanceof EntityStreamSizeException size) {
      return problem(new ApiProblem(413, "payload-too-large", "Payload too large",
          "the request body is larger than " + size.limit() + " bytes", Map.of()));
    }
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return unavailable("the engine did not answer in time; try again");
    }
    if (causedBySql(cause)) {
      return unavailable("the database cannot be reached right now; try again");
    }
    LOG.error("request failed", cause);
    return problem(new ApiProblem(500, "internal", "Internal server error",
        "the node failed to answer; see its log", Map.of()));
  }

  /** 503 with Retry-After: what a client should do is wait a moment and ask again. */
  static HttpResponse unavailable(String detail) {
    return problem(new ApiProblem(503, "unavailable", "Service unavailable", detail, Map.of()))
        .addHeader(RetryAfter.create(RETRY_AFTER_SECONDS));
  }

  /**
   * 503, not 429: the limit is the node's capacity, shared by every client, not a quota this
   * client overran; waiting and asking again (Retry-After) is the right answer for any of them.
   */
  static HttpResponse eventStreamsFull() {
    return problem(new ApiProblem(503, "event-streams-full", "Service unavailable",
        "this node serves as many event streams as it can; try again later", Map.of()))
        .addHeader(RetryAfter.create(RETRY_AFTER_SECONDS));
  }

  private static boolean causedBySql(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLException) {
        return true;
      }
    }
    return false;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The stage's response, or its failure turned into a problem response. */
  public static CompletionStage<HttpResponse> recovered(CompletionStage<HttpResponse> stage) {
    return stage.exceptionally(Responses::fromThrowable);
  }

  public static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(failure -> Directives.complete(fromThrowable(failure)))
        .build();
  }

  /** Pekko's own rejection answers (404, 405, 413, ...), re-dressed as problem+json. */
  public static RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(Responses::asProblem);
  }

  private static HttpResponse asProblem(HttpResponse response) {
    HttpEntity entity = response.entity();
    if (entity.getContentType().equals(PROBLEM_JSON)) {
      return response;
    }
    String text = entity instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : "";
    int status = response.status().intValue();
    String detail = status == 413 ? "the request body is larger than the limit"
        : text.isBlank() ? response.status().defaultMessage() : text.strip();
    return problem(new ApiProblem(status, "http-" + status, response.status().reason(), detail,
        Map.of()))
        .addHeaders(response.getHeaders());
  }

  // ---------------------------------------------------------------- execution replies

  /**
   * 202 for a new execution; for one that existed, 200 when the request carried an idempotency
   * key (a repeat) and 409 when it did not.
   */
  static HttpResponse started(ExecutionService.StartOutcome outcome, boolean idempotent) {
    if (outcome instanceof ExecutionService.Answered answered) {
      return started(answered.reply(), idempotent);
    }
    if (outcome instanceof ExecutionService.NoSuchJob job) {
      throw unknownJob(job.name());
    }
    if (outcome instanceof ExecutionService.NoSuchExecution execution) {
      throw unknownExecution(execution.id());
    }
    ExecutionView old = ((ExecutionService.NotRetryable) outcome).execution();
    throw ApiProblem.conflict("execution " + old.id() + " is " + old.status()
        + "; only an execution that ended unsuccessfully can be retried",
        Map.of("executionStatus", old.status()));
  }

  public static HttpResponse started(ExecutionEntity.StartReply reply, boolean idempotent) {
    if (reply instanceof ExecutionEntity.Started started) {
      return accepted(started.view());
    }
    ExecutionView existing = ((ExecutionEntity.AlreadyExists) reply).view();
    if (idempotent) {
      return json(200, ExecutionResponse.of(existing), location(existing));
    }
    throw ApiProblem.conflict("execution " + existing.id() + " exists already", Map.of());
  }

  public static HttpResponse stopped(ExecutionEntity.StopReply reply) {
    if (reply instanceof ExecutionEntity.StopAccepted accepted) {
      return json(202, ExecutionResponse.of(accepted.view()));
    }
    if (reply instanceof ExecutionEntity.StopRefused refused) {
      ExecutionView view = refused.view();
      throw ApiProblem.conflict("execution " + view.id() + " has already ended: " + view.status(),
          Map.of("executionStatus", view.status(), "execution", ExecutionResponse.of(view)));
    }
    throw unknownExecution(((ExecutionEntity.Unknown) reply).executionId());
  }

  /** 200 with the execution, or 404 when there is none. */
  static HttpResponse read(String id, Optional<ExecutionService.Read> read) {
    ExecutionService.Read found = read.orElseThrow(() -> unknownExecution(id));
    return json(200, ExecutionResponse.of(found.view(), found.stale()));
  }

  /** 200 with the execution as it was, or 404 when there is none. */
  static HttpResponse replayed(String id, Optional<ExecutionView> view) {
    return json(200, ExecutionResponse.of(view.orElseThrow(() -> unknownExecution(id))));
  }

  /** 200 with every event of the execution, or 404 when there is none. */
  static HttpResponse history(String id, List<ExecutionJournal.Entry> entries) {
    if (entries.isEmpty()) {
      throw unknownExecution(id);
    }
    return json(200, HistoryResponse.of(id, entries));
  }

  /** 200 with what became of each stop of many. */
  static HttpResponse stoppedEach(List<ExecutionService.StopOutcome> outcomes) {
    return json(200, new BulkStopResponse(outcomes.stream().map(Responses::stopResult).toList()));
  }

  private static BulkStopResult stopResult(ExecutionService.StopOutcome outcome) {
    if (outcome.reply().isEmpty()) {
      return new BulkStopResult(outcome.id(), "unanswered", null);
    }
    ExecutionEntity.StopReply reply = outcome.reply().get();
    if (reply instanceof ExecutionEntity.StopAccepted accepted) {
      return new BulkStopResult(outcome.id(), "accepted", accepted.view().status());
    }
    if (reply instanceof ExecutionEntity.StopRefused refused) {
      return new BulkStopResult(outcome.id(), "refused", refused.view().status());
    }
    return new BulkStopResult(outcome.id(), "unknown", null);
  }

  public static HttpResponse accepted(ExecutionView view) {
    return json(202, ExecutionResponse.of(view), location(view));
  }

  public static ApiProblem unknownExecution(String id) {
    return ApiProblem.notFound("unknown-execution", "no execution " + id);
  }

  private static Location location(ExecutionView view) {
    return Location.create("/api/executions/" + view.id());
  }

  // ---------------------------------------------------------------- job replies

  public static HttpResponse defined(JobCatalog.Defined defined) {
    return json(defined.created() ? 201 : 200, JobResponse.of(defined.job()),
        Location.create("/api/jobs/" + defined.job().name()));
  }

  public static JobCatalog.Job job(JobCatalog.GetReply reply) {
    if (reply instanceof JobCatalog.Found found) {
      return found.job();
    }
    throw unknownJob(((JobCatalog.NotFound) reply).name());
  }

  public static HttpResponse deleted(JobCatalog.DeleteReply reply) {
    if (reply instanceof JobCatalog.Deleted) {
      return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    }
    throw unknownJob(((JobCatalog.NotFound) reply).name());
  }

  public static ApiProblem unknownJob(String name) {
    return ApiProblem.notFound("unknown-job", "no job named " + name);
  }
}
