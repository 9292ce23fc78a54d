package dev.stepwise.http;

import dev.stepwise.engine.ClusterMembership;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import org.apache.pekko.actor.typed.ActorSystem;

/** Everything a node runs, started in one place that {@code Main} and the tests share. */
public final class StepwiseNode {

  private StepwiseNode() {}

  public static void init(ActorSystem<?> system, StepTypes stepTypes) {
    SchemaMigrations.migrate(DatabaseSettings.from(system.settings().config()));
    ClusterMembership.join(system);
    ExecutionEntity.init(system, stepTypes);
  }
}
