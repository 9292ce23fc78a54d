package dev.stepwise.http;

import dev.stepwise.engine.ClusterMembership;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.JournalSchema;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Everything a node runs, started in one place that {@code Main} and the tests share. */
public final class StepwiseNode {

  private StepwiseNode() {}

  /**
   * Starts the node and its HTTP API; the answer completes once the API is bound (or failed to).
   * Without a configured JWT secret or key it prints one admin token for a fresh random secret.
   */
  public static CompletionStage<ServerBinding> init(ActorSystem<?> system, StepTypes stepTypes) {
    JournalSchema.ensure(DatabaseSettings.from(system.settings().config()));
    ClusterMembership.join(system);
    ExecutionEntity.init(system, stepTypes);
    JobCatalog.init(system);
    HttpSettings settings = HttpSettings.from(system.settings().config());
    BearerTokens tokens = BearerTokens.from(settings.jwt());
    tokens.generatedAdminToken().ifPresent(token -> System.out.println(
        "No STEPWISE_JWT_SECRET configured: made a random one for this run.\n"
            + "Admin token: " + token));
    return HttpServer.start(system, settings,
        new ApiRoutes(system, settings, tokens, stepTypes).route());
  }
}
