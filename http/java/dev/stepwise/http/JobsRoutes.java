package dev.stepwise.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.JobValidation;
import dev.stepwise.engine.job.Jobs;
import dev.stepwise.http.ApiMessages.JobList;
import dev.stepwise.http.ApiMessages.JobResponse;
import dev.stepwise.http.ApiMessages.StartRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /api/jobs}: job definitions, and starting a run of one. */
public final class JobsRoutes extends AllDirectives {

  private final Jobs jobs;
  private final JournaledExecutions executions;
  private final JobValidation validation;
  private final AuthDirectives auth;
  private final Executor executor;

  JobsRoutes(Jobs jobs, JournaledExecutions executions, JobValidation validation,
      AuthDirectives auth, Executor executor) {
    this.jobs = jobs;
    this.executions = executions;
    this.validation = validation;
    this.auth = auth;
    this.executor = executor;
  }

  public Route route() {
    return pathPrefix("jobs", () -> concat(
        pathEnd(() -> get(() -> auth.authorized(Role.viewer, caller -> list()))),
        pathPrefix(segment(), name -> concat(
            pathEnd(() -> concat(
                put(() -> auth.authorized(Role.admin, caller ->
                    body(b -> define(caller, name, b)))),
                get(() -> auth.authorized(Role.viewer, caller -> get(name))),
                delete(() -> auth.authorized(Role.admin, caller -> delete(caller, name))))),
            path("executions", () -> post(() -> auth.authorized(Role.operator, caller ->
                optionalHeaderValueByName("Idempotency-Key", key ->
                    body(b -> start(caller, name, key, b))))))))));
  }

  private Route body(java.util.function.Function<String, Route> inner) {
    return JsonBody.text(inner);
  }

  private Route list() {
    return completeWithFuture(Responses.recovered(jobs.list().thenApplyAsync(listing ->
        Responses.json(200, new JobList(listing.jobs().stream().map(JobResponse::of).toList())),
        executor)));
  }

  private Route define(Caller caller, String name, String body) {
    JobDefinition definition = Json.read(body, JobDefinition.class);
    List<String> errors = validation.validate(name, definition);
    if (!errors.isEmpty()) {
      throw ApiProblem.badRequest(errors);
    }
    return completeWithFuture(Responses.recovered(jobs.define(name, definition, caller.subject())
        .thenApplyAsync(Responses::defined, executor)));
  }

  private Route get(String name) {
    RequestParsing.jobName(name);
    return completeWithFuture(Responses.recovered(jobs.get(name).thenApplyAsync(reply ->
        Responses.json(200, JobResponse.of(Responses.job(reply))), executor)));
  }

  private Route delete(Caller caller, String name) {
    RequestParsing.jobName(name);
    return completeWithFuture(Responses.recovered(jobs.delete(name, caller.subject())
        .thenApplyAsync(Responses::deleted, executor)));
  }

  /**
   * With an Idempotency-Key the execution id follows from job and key, so a repeat finds the
   * execution the first request made, wherever in the cluster it runs.
   */
  private Route start(Caller caller, String name, Optional<String> rawKey, String body) {
    RequestParsing.jobName(name);
    Optional<String> key = RequestParsing.idempotencyKey(rawKey);
    StartRequest request = Json.read(body, StartRequest.class);
    Instant startAt = RequestParsing.startAt(request == null ? null : request.startAt(),
        Instant.now());
    String id = key.map(k -> UUID.nameUUIDFromBytes((name + "/" + k)
            .getBytes(StandardCharsets.UTF_8)).toString())
        .orElseGet(() -> UUID.randomUUID().toString());
    return completeWithFuture(Responses.recovered(jobs.get(name)
        .thenApplyAsync(Responses::job, executor)
        .thenComposeAsync(job -> executions.start(id, name, job.definition(), startAt,
            caller.subject(), null), executor)
        .whenCompleteAsync((reply, failure) -> ExecutionRequestLog.startAnswered(
            caller.subject(), reply), executor)
        .thenApplyAsync(reply -> Responses.started(reply, key.isPresent()), executor)));
  }
}
