package dev.stepwise.http;

import dev.stepwise.engine.ClusterMembership;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.persistence.DatabaseSettings;
import dev.stepwise.persistence.SchemaMigrations;
import dev.stepwise.persistence.readside.ReadSide;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Everything a node runs, started in one place that {@code Main} and the tests share: the schema,
 * cluster membership, the sharded executions and the read side.
 */
public record StepwiseNode(Executions executions, ReadSide readSide) {

  public static StepwiseNode init(ActorSystem<?> system, StepTypes stepTypes) {
    var config = system.settings().config();
    SchemaMigrations.migrate(DatabaseSettings.from(config));
    ClusterMembership.join(system);
    ExecutionEntity.init(system, stepTypes);
    ReadSide readSide = ReadSide.init(system);
    return new StepwiseNode(
        new Executions(system, config.getDuration("stepwise.ask-timeout")), readSide);
  }
}
