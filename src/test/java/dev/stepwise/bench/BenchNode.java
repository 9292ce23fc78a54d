package dev.stepwise.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.http.BearerTokens;
import dev.stepwise.http.HttpSettings;
import dev.stepwise.http.NodeConfig;
import dev.stepwise.http.StepwiseNode;
import dev.stepwise.persistence.ExecutionJournal;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * A real Stepwise node in this JVM, started with the same {@code init} as {@code Main} on a
 * database of the durable PostgreSQL, its API bound on a free loopback port. Only what a benchmark
 * must differ in is set: the database, the port, a known JWT secret, quieter logs.
 */
final class BenchNode implements AutoCloseable {

  private final ActorSystem<Void> system;
  private final StepwiseNode node;
  private final URI base;
  private final String token;
  private final Duration bound;
  private final Duration readiness;

  private BenchNode(ActorSystem<Void> system, StepwiseNode node, URI base, String token,
      Duration bound, Duration readiness) {
    this.system = system;
    this.node = node;
    this.base = base;
    this.token = token;
    this.bound = bound;
    this.readiness = readiness;
  }

  /**
   * Starts a node and waits until {@code /health/ready} answers 200; the time from the start of
   * the actor system to that answer is its readiness time.
   */
  static BenchNode start(DurablePostgres postgres, String database, StepTypes stepTypes,
      Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("stepwise.database.url", postgres.url(database));
    settings.put("stepwise.database.user", postgres.user());
    settings.put("stepwise.database.password", "");
    settings.put("stepwise.http.host", "127.0.0.1");
    settings.put("stepwise.http.port", 0);
    settings.put("stepwise.http.sse-heartbeat", "1s");
    settings.put("stepwise.jwt.secret", UUID.randomUUID() + "-" + UUID.randomUUID());
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.put("pekko.loglevel", "WARNING");
    settings.putAll(extra);
    Config config = NodeConfig.load(ConfigFactory.parseMap(settings), Map.of());
    long began = System.nanoTime();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stepwise", config);
    try {
      StepwiseNode node = StepwiseNode.init(system, stepTypes);
      int port = node.binding().toCompletableFuture().get(60, TimeUnit.SECONDS)
          .localAddress().getPort();
      Duration bound = Duration.ofNanos(System.nanoTime() - began);
      URI base = URI.create("http://127.0.0.1:" + port);
      String token = BearerTokens.from(HttpSettings.from(config).jwt())
          .issue("bench", List.of("admin"), Duration.ofHours(12));
      Duration readiness = awaitReady(base, began);
      return new BenchNode(system, node, base, token, bound, readiness);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the node did not start", e);
    }
  }

  private static Duration awaitReady(URI base, long began) throws InterruptedException {
    try (ApiClient health = new ApiClient(base, "", 1)) {
      long deadline = began + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        try {
          if (health.get("/health/ready").status() == 200) {
            return Duration.ofNanos(System.nanoTime() - began);
          }
        } catch (RuntimeException e) {
          // not listening yet
        }
        Thread.sleep(10);
      }
    }
    throw new IllegalStateException("the node was not ready within 120 s");
  }

  /** A client that keeps at most {@code maxOpen} asynchronous calls open at once. */
  ApiClient client(int maxOpen) {
    return new ApiClient(base, token, maxOpen);
  }

  /** From the actor system's start to the API's binding. */
  Duration bound() {
    return bound;
  }

  Duration readiness() {
    return readiness;
  }

  ActorSystem<Void> system() {
    return system;
  }

  Executions executions() {
    return node.executions();
  }

  ExecutionJournal journal() {
    return new ExecutionJournal(system);
  }

  /** How many executions have a live actor on this node right now. */
  int liveExecutions() {
    try {
      CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
              ClusterSharding.get(system).shardState(),
              replyTo -> new GetShardRegionState(ExecutionEntity.ENTITY_KEY, replyTo),
              Duration.ofSeconds(30), system.scheduler())
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      return state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
    } catch (Exception e) {
      throw new IllegalStateException("could not read the shard region's state", e);
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the node did not stop within 60 s", e);
    }
  }
}
