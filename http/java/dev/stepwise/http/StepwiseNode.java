package dev.stepwise.http;

import dev.stepwise.engine.ClusterMembership;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import dev.stepwise.persistence.readside.ReadSide;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Everything a node runs, started in one place that {@code Main} and the tests share: the schema,
 * cluster membership, the sharded executions and job catalog, the read side and the HTTP API.
 *
 * @param binding completes once the API is bound (or failed to bind)
 */
public record StepwiseNode(
    Executions executions, ReadSide readSide, CompletionStage<ServerBinding> binding) {

  /** Without a configured JWT secret or key it prints one admin token for a fresh secret. */
  public static StepwiseNode init(ActorSystem<?> system, StepTypes stepTypes) {
    var config = system.settings().config();
    NodeConfig.requireSharedDatabaseForClusters(config);
    migrateSchema(system, DatabaseSettings.from(config));
    ClusterMembership.join(system);
    ExecutionEntity.init(system, stepTypes);
    JobCatalog.init(system);
    ReadSide readSide = ReadSide.init(system);
    HttpSettings settings = HttpSettings.from(config);
    Executions executions = new Executions(system, settings.askTimeout());
    BearerTokens tokens = BearerTokens.from(settings.jwt());
    tokens.generatedAdminToken().ifPresent(token -> System.out.println(
        "No STEPWISE_JWT_SECRET configured: made a random one for this run.\n"
            + "Admin token: " + token));
    // The cluster view is tried first: it matches /api/cluster only, and ApiRoutes answers 404
    // itself for any path it lacks.
    var binding = HttpServer.start(system, settings, new ClusterRoutes(system,
            new AuthDirectives(tokens), settings.askTimeout()).route()
        .orElse(new ApiRoutes(system, settings, tokens, stepTypes, executions, readSide).route()));
    return new StepwiseNode(executions, readSide, binding);
  }

  /**
   * The nodes of a new cluster start together on one empty database, and Flyway's first run on
   * an empty database is not safe against another node's: the loser fails with "Unable to
   * baseline schema history table ... as it already exists, and is empty". It tries again once
   * the winner is done, and then finds the schema migrated. A newer schema is refused at once.
   */
  static void migrateSchema(ActorSystem<?> system, DatabaseSettings database) {
    Duration[] pauses = {Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(4)};
    for (int attempt = 0; ; attempt++) {
      try {
        SchemaMigrations.migrate(database);
        return;
      } catch (IllegalStateException e) {
        if (attempt == pauses.length || e.getMessage().contains("newer than this node")) {
          throw e;
        }
        system.log().warn("schema migration failed, trying again in {} ms: {}",
            pauses[attempt].toMillis(), e.getMessage());
        try {
          // the node has not started anything yet: waiting here blocks nothing else
          Thread.sleep(pauses[attempt].toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
