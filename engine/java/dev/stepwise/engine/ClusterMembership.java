package dev.stepwise.engine;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Brings a node into its cluster: through the seed nodes, or alone when there are none. */
public final class ClusterMembership {

  private ClusterMembership() {}

  public static void join(ActorSystem<?> system) {
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    // with seed nodes, Pekko joins them by itself
  }
}
