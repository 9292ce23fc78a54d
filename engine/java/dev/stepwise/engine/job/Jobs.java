package dev.stepwise.engine.job;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/** The cluster-wide door to the job catalog, waiting at most {@code askTimeout} for answers. */
public final class Jobs {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public Jobs(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  public CompletionStage<JobCatalog.Defined> define(String name, JobDefinition definition,
      String requestedBy) {
    return catalog().ask(replyTo -> new JobCatalog.Define(name, definition, requestedBy, replyTo),
        askTimeout);
  }

  public CompletionStage<JobCatalog.DeleteReply> delete(String name, String requestedBy) {
    return catalog().ask(replyTo -> new JobCatalog.Delete(name, requestedBy, replyTo), askTimeout);
  }

  public CompletionStage<JobCatalog.GetReply> get(String name) {
    return catalog().ask(replyTo -> new JobCatalog.Get(name, replyTo), askTimeout);
  }

  public CompletionStage<JobCatalog.Listing> list() {
    return catalog().ask(JobCatalog.ListJobs::new, askTimeout);
  }

  private EntityRef<JobCatalog.Command> catalog() {
    return sharding.entityRefFor(JobCatalog.ENTITY_KEY, JobCatalog.ID);
  }
}
