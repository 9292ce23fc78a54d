package dev.stepwise.http;

import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.job.JobValidation;
import dev.stepwise.engine.job.Jobs;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.http.metrics.NodeMetrics;
import dev.stepwise.persistence.ExecutionJournal;
import dev.stepwise.persistence.readside.ReadSide;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every route of the node, behind one exception and rejection handler (problem+json), one
 * request body limit and one answer to a request that timed out (503 problem+json).
 */
public final class ApiRoutes extends AllDirectives {

  private final HttpSettings settings;
  private final JobsRoutes jobs;
  private final ExecutionsRoutes executions;
  private final EventsRoutes events;
  private final StepOutputRoutes stepOutput;
  private final OpenApiRoutes openApi;
  private final HealthRoutes health;
  private final ClusterRoutes cluster;
  private final MetricsRoutes metrics;
  private final WebRoutes web = new WebRoutes();

  public ApiRoutes(ActorSystem<?> system, HttpSettings settings, BearerTokens tokens,
      StepTypes stepTypes, Executions executionsFacade, ReadSide readSide, NodeMetrics metrics) {
    this.settings = settings;
    Executor executor = system.executionContext();
    AuthDirectives auth = new AuthDirectives(tokens);
    ExecutionJournal journal = new ExecutionJournal(system);
    Jobs catalog = new Jobs(system, settings.askTimeout());
    ExecutionService service = new ExecutionService(system, executionsFacade, catalog, journal,
        readSide.summaries(), settings.liveReadTimeout());
    this.jobs = new JobsRoutes(catalog, service, new JobValidation(stepTypes.names()), auth,
        executor);
    this.executions = new ExecutionsRoutes(service, auth, settings, executor);
    this.stepOutput = new StepOutputRoutes(system, service, auth, settings);
    this.events = new EventsRoutes(system, journal, readSide.summaries(), auth, settings,
        metrics.streams());
    this.metrics = new MetricsRoutes(metrics, auth, executor);
    this.openApi = new OpenApiRoutes(auth);
    this.health = new HealthRoutes(system, journal, executor);
    this.cluster = new ClusterRoutes(system, auth, settings.askTimeout());
  }

  public Route route() {
    return withRequestTimeoutResponse(ApiRoutes::timedOut, () ->
        handleExceptions(Responses.exceptionHandler(), () ->
            handleRejections(Responses.rejectionHandler(), () ->
                optionalHeaderValueByName("Raw-Request-URI", target ->
                    extractUri(uri -> routes(target, uri))))));
  }

  /**
   * Every route, for a request whose target, as the client sent it, has no dot segments and
   * names no query parameter twice.
   */
  private Route routes(Optional<String> targetAsSent, Uri uri) {
    targetAsSent.ifPresent(RequestParsing::requestTarget);
    RequestParsing.singleValued(uri.query());
    return withSizeLimit(settings.maxBodySize(), () -> concat(
        pathPrefix("api", () -> concat(
            executions.route(), jobs.route(), stepOutput.route(),
            events.route(), openApi.route(), cluster.route())),
        health.route(),
        metrics.route(),
        web.route()));
  }

  private static HttpResponse timedOut(HttpRequest request) {
    return Responses.unavailable("the node did not answer within its request timeout; try again");
  }
}
