package dev.stepwise.http;

import dev.stepwise.engine.execution.ExecutionEntity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/cluster} (admin): this node's view of its cluster — its own address, the members
 * and their status, and the executions whose actors live on this node right now. Operators use it
 * to see where work runs; the cluster tests use it to find the node that runs an execution.
 */
public final class ClusterRoutes extends AllDirectives {

  /** One member as this node sees it. */
  public record MemberResponse(String address, String status, boolean reachable) {}

  /** This node's view; {@code executions} are the ids alive on this node, sorted. */
  public record ClusterResponse(String self, String selfStatus, String leader,
      List<MemberResponse> members, List<String> executions) {}

  private final ActorSystem<?> system;
  private final AuthDirectives auth;
  private final Duration timeout;
  private final Executor executor;

  public ClusterRoutes(ActorSystem<?> system, AuthDirectives auth, Duration timeout) {
    this.system = system;
    this.auth = auth;
    this.timeout = timeout;
    this.executor = system.executionContext();
  }

  /** Matches {@code /api/cluster} only, so every other path falls through to the other routes. */
  public Route route() {
    return path("cluster", () -> get(() -> auth.authorized(Role.admin, caller -> view())));
  }

  private Route view() {
    return completeWithFuture(Responses.recovered(liveExecutions()
        .thenApplyAsync(ids -> Responses.json(200, describe(ids)), executor)));
  }

  private ClusterResponse describe(List<String> executions) {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    List<MemberResponse> members = StreamSupport.stream(state.getMembers().spliterator(), false)
        .map(member -> new MemberResponse(member.address().toString(),
            member.status().toString(), !state.getUnreachable().contains(member)))
        .toList();
    Member self = cluster.selfMember();
    return new ClusterResponse(self.address().toString(), self.status().toString(),
        state.getLeader() == null ? null : state.getLeader().toString(), members, executions);
  }

  private CompletionStage<List<String>> liveExecutions() {
    CompletionStage<CurrentShardRegionState> state = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        replyTo -> new GetShardRegionState(ExecutionEntity.ENTITY_KEY, replyTo),
        timeout, system.scheduler());
    return state.thenApplyAsync(current -> current.getShards().stream()
        .flatMap(shard -> shard.getEntityIds().stream()).sorted().toList(), executor);
  }
}
