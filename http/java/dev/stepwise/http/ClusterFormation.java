package dev.stepwise.http;

import dev.stepwise.engine.ClusterMembership;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How a node comes into its cluster: through Pekko Management's cluster bootstrap when a
 * discovery method is configured (STEPWISE_DISCOVERY), else as before: through the seed nodes,
 * or alone. Bootstrap must not be mixed with joining alone, or every node would form a cluster
 * of its own.
 */
final class ClusterFormation {

  private ClusterFormation() {}

  static void start(ActorSystem<?> system) {
    if (system.settings().config().getString("stepwise.cluster.discovery").isBlank()) {
      ClusterMembership.join(system);
      return;
    }
    var classic = Adapter.toClassic(system);
    // the management server answers the other nodes' bootstrap probes; the bootstrap then
    // discovers them, waits until enough agree, and joins or forms the cluster
    PekkoManagement.get(classic).start().whenComplete((uri, failure) -> {
      if (failure != null) {
        // without its contact point no other node can find this one: say so loudly
        system.log().error("Pekko Management could not bind ({}); cluster bootstrap cannot "
            + "work. Check STEPWISE_MANAGEMENT_PORT.", failure.getMessage());
      }
    });
    ClusterBootstrap.get(classic).start();
  }
}
