package dev.stepwise.engine.execution;

import dev.stepwise.engine.job.JobDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The cluster-wide door to executions: sends each command to the node that owns the execution,
 * wherever it runs, and waits at most {@code askTimeout} for its answer.
 */
public final class Executions {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public Executions(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  public CompletionStage<ExecutionEntity.StartReply> start(
      String executionId, String job, JobDefinition definition, Instant startAt,
      String requestedBy, String retryOf) {
    return ref(executionId).ask(replyTo -> new ExecutionEntity.Start(job, definition, startAt,
        requestedBy, retryOf, replyTo), askTimeout);
  }

  public CompletionStage<ExecutionEntity.StopReply> stop(
      String executionId, StopMode mode, String reason, String requestedBy,
      Integer graceSeconds) {
    return ref(executionId).ask(replyTo -> new ExecutionEntity.Stop(mode, reason, requestedBy,
        graceSeconds, replyTo), askTimeout);
  }

  public CompletionStage<ExecutionEntity.GetReply> get(String executionId) {
    return get(executionId, askTimeout);
  }

  /** Asks with a timeout of its own, for a caller that has another answer to fall back on. */
  public CompletionStage<ExecutionEntity.GetReply> get(String executionId, Duration within) {
    return ref(executionId).ask(ExecutionEntity.Get::new, within);
  }

  private EntityRef<ExecutionEntity.Command> ref(String executionId) {
    return sharding.entityRefFor(ExecutionEntity.ENTITY_KEY, executionId);
  }
}
