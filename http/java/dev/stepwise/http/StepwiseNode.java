package dev.stepwise.http;

import dev.stepwise.engine.ClusterMembership;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionLog;
import dev.stepwise.engine.execution.ExecutionObserver;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.engine.step.StepLeases;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.http.metrics.MetricsSettings;
import dev.stepwise.http.metrics.NodeMetrics;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import dev.stepwise.persistence.readside.ReadSide;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Everything a node runs, started in one place that {@code Main} and the tests share: the schema,
 * cluster membership, metrics, the sharded executions and job catalog, the read side and the HTTP
 * API.
 *
 * @param binding completes once the API is bound (or failed to bind)
 */
public record StepwiseNode(
    Executions executions, ReadSide readSide, CompletionStage<HttpServer.Binding> binding) {

  /** Without a configured JWT secret or key it prints one admin token for a fresh secret. */
  public static StepwiseNode init(ActorSystem<?> system, StepTypes stepTypes) {
    var config = system.settings().config();
    NodeConfig.requireSharedDatabaseForClusters(config);
    SchemaMigrations.migrate(DatabaseSettings.from(config));
    ClusterMembership.join(system);
    NodeMetrics metrics = NodeMetrics.start(system, MetricsSettings.from(config));
    // before any execution can resume here and start its running step again
    StepLeases.get(system).reclaim();
    ExecutionEntity.init(system, stepTypes,
        ExecutionObserver.all(new ExecutionLog(), metrics.executions()));
    JobCatalog.init(system);
    ReadSide readSide = ReadSide.init(system);
    metrics.watch(readSide.summaries());
    HttpSettings settings = HttpSettings.from(config);
    Executions executions = new Executions(system, settings.askTimeout());
    BearerTokens tokens = BearerTokens.from(settings.jwt());
    tokens.generatedAdminToken().ifPresent(token -> System.out.println(
        "No STEPWISE_JWT_SECRET configured: made a random one for this run.\n"
            + "Admin token: " + token));
    var binding = HttpServer.start(system, settings,
        new ApiRoutes(system, settings, tokens, stepTypes, executions, readSide, metrics)
            .route());
    return new StepwiseNode(executions, readSide, binding);
  }
}
