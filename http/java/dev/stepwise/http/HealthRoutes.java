package dev.stepwise.http;

import dev.stepwise.http.ApiMessages.HealthResponse;
import dev.stepwise.persistence.ExecutionJournal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health}: alive while the process answers; ready once this node is an Up member of its
 * cluster and the journal's database answers a query.
 */
public final class HealthRoutes extends AllDirectives {

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final ActorSystem<?> system;
  private final ExecutionJournal journal;
  private final Executor executor;

  public HealthRoutes(ActorSystem<?> system, ExecutionJournal journal, Executor executor) {
    this.system = system;
    this.journal = journal;
    this.executor = executor;
  }

  public Route route() {
    return pathPrefix("health", () -> concat(
        path("alive", () -> get(() -> complete(Responses.json(200, new HealthResponse("alive"))))),
        path("ready", () -> get(this::ready))));
  }

  private Route ready() {
    if (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
      return complete(Responses.problem(notReady("this node is not an Up cluster member yet")));
    }
    return completeWithFuture(journal.probe(PROBE_TIMEOUT)
        .thenApplyAsync(done -> Responses.json(200, new HealthResponse("ready")), executor)
        .exceptionally(failure ->
            Responses.problem(notReady("the journal's database does not answer"))));
  }

  private static ApiProblem notReady(String detail) {
    return new ApiProblem(503, "not-ready", "Not ready", detail, Map.of());
  }
}
