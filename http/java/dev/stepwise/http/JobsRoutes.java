package dev.stepwise.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.JobValidation;
import dev.stepwise.engine.job.Jobs;
import dev.stepwise.http.ApiMessages.JobList;
import dev.stepwise.http.ApiMessages.JobResponse;
import dev.stepwise.http.ApiMessages.StartRequest;
import dev.stepwise.http.ApiMessages.StopRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/jobs}: job definitions, starting a run of one, and stopping every run of one that
 * has not ended.
 */
public final class JobsRoutes extends AllDirectives {

  private final Jobs jobs;
  private final ExecutionService executions;
  private final JobValidation validation;
  private final AuthDirectives auth;
  private final Executor executor;

  JobsRoutes(Jobs jobs, ExecutionService executions, JobValidation validation,
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
                    body(b -> start(caller, name, key, b)))))),
            path("stop", () -> post(() -> auth.authorized(Role.operator, caller ->
                parameterOptional("force", force -> body(b -> stop(caller, name, force, b))))))))));
  }

  private Route body(Function<String, Route> inner) {
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

  /** With an Idempotency-Key a repeated start returns the execution the first one made. */
  private Route start(Caller caller, String name, Optional<String> rawKey, String body) {
    RequestParsing.jobName(name);
    Optional<String> key = RequestParsing.idempotencyKey(rawKey);
    StartRequest request = Json.read(body, StartRequest.class);
    Instant startAt = RequestParsing.startAt(request == null ? null : request.startAt(),
        Instant.now());
    return completeWithFuture(Responses.recovered(
        executions.start(name, key, startAt, caller.subject())
            .thenApplyAsync(outcome -> Responses.started(outcome, key.isPresent()), executor)));
  }

  /** Stops every execution of the job that the read side knows to be unfinished. */
  private Route stop(Caller caller, String rawName, Optional<String> rawForce, String body) {
    String name = RequestParsing.jobName(rawName);
    StopMode mode = RequestParsing.flag(rawForce, "force") ? StopMode.force : StopMode.graceful;
    StopRequest request = Json.read(body, StopRequest.class);
    String reason = request == null ? null : RequestParsing.reason(request.reason());
    return completeWithFuture(Responses.recovered(
        executions.stopJob(name, mode, reason, caller.subject())
            .thenApplyAsync(Responses::stoppedEach, executor)));
  }
}
