package dev.stepwise.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Executions;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.step.CustomStep;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.http.NodeConfig;
import dev.stepwise.http.StepwiseNode;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A real Stepwise node in this JVM: the same init as {@code Main}, a real journal, real sharding.
 * Several can share one database, one after the other, to test restarts.
 */
public final class TestNode implements AutoCloseable {

  /** A deadline, not a pause: generous, because a loaded 2-core machine is slow. */
  public static final Duration WAIT = Duration.ofSeconds(60);

  private final ActorSystem<Void> system;
  private final Executions executions;
  private final StepwiseNode node;

  private TestNode(Config overrides, Map<String, CustomStep> customSteps) {
    Config config = NodeConfig.load(overrides.withFallback(ConfigFactory.parseMap(Map.of(
        "pekko.remote.artery.canonical.port", 0,
        "stepwise.http.port", 0,
        "stepwise.jwt.secret", "test-node-secret-test-node-secret-0123456789",
        "pekko.loglevel", "INFO"))), Map.of());
    system = ActorSystem.create(Behaviors.empty(), "stepwise", config);
    node = StepwiseNode.init(system, StepTypes.with(customSteps));
    executions = new Executions(system, Duration.ofSeconds(30));
  }

  /** A node journaling to {@code database}. */
  public static TestNode on(TestDatabase.Credentials database) {
    return on(database, Map.of());
  }

  public static TestNode on(TestDatabase.Credentials database, Map<String, CustomStep> custom) {
    return on(database, custom, Map.of());
  }

  /** A node journaling to {@code database}, with {@code settings} over application.conf. */
  public static TestNode on(TestDatabase.Credentials database, Map<String, CustomStep> custom,
      Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>(extra);
    settings.put("stepwise.database.url", database.url());
    settings.put("stepwise.database.user", database.user());
    settings.put("stepwise.database.password", database.password());
    return new TestNode(ConfigFactory.parseMap(settings), custom);
  }

  /** A node on the embedded H2 default, with its files in {@code dataDir}. */
  public static TestNode onH2(Path dataDir) {
    return new TestNode(ConfigFactory.parseMap(Map.of("stepwise.data-dir", dataDir.toString())),
        Map.of());
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public ExecutionSummaries summaries() {
    return node.readSide().summaries();
  }

  public javax.sql.DataSource readSideDataSource() {
    return node.readSide().dataSource();
  }

  public Executions executions() {
    return executions;
  }

  public ExecutionView start(String id, JobDefinition job) {
    var reply = join(executions.start(id, "test-job", job, null, "tester", null));
    if (reply instanceof ExecutionEntity.Started started) {
      return started.view();
    }
    throw new AssertionError("start of " + id + " answered " + reply);
  }

  public String start(JobDefinition job) {
    String id = UUID.randomUUID().toString();
    start(id, job);
    return id;
  }

  public ExecutionEntity.StopReply stop(String id, StopMode mode, String reason, String by,
      Integer graceSeconds) {
    return join(executions.stop(id, mode, reason, by, graceSeconds));
  }

  public ExecutionView view(String id) {
    var reply = join(executions.get(id));
    if (reply instanceof ExecutionEntity.Found found) {
      return found.view();
    }
    throw new AssertionError("get of " + id + " answered " + reply);
  }

  public ExecutionView awaitStatus(String id, Status status) {
    return Eventually.await(id + " reaches " + status, WAIT, () -> view(id),
        view -> view.status() == status);
  }

  /** The execution's events as journaled, read without waking the execution. */
  public List<Object> journal(String id) {
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return join(journal.currentEventsByPersistenceId(
            ExecutionEntity.persistenceId(id).id(), 0, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .runWith(Sink.seq(), system));
  }

  public List<String> journalTypes(String id) {
    return journal(id).stream().map(e -> e.getClass().getSimpleName()).toList();
  }

  /** Waits, reading only the journal, until the execution journaled {@code eventType}. */
  public List<String> awaitJournaled(String id, String eventType) {
    return Eventually.await(id + " journals " + eventType, WAIT, () -> journalTypes(id),
        types -> types.contains(eventType));
  }

  /** Ids of the executions whose actors are alive on this node right now. */
  public Set<String> liveExecutions() {
    TestProbe<CurrentShardRegionState> probe = TestProbe.create(system);
    ClusterSharding.get(system).shardState()
        .tell(new GetShardRegionState(ExecutionEntity.ENTITY_KEY, probe.getRef()));
    CurrentShardRegionState state = probe.receiveMessage(Duration.ofSeconds(10));
    Set<String> ids = new HashSet<>();
    state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    terminate(system);
  }

  /** Stops a node's actor system and waits until it has stopped. */
  public static void terminate(ActorSystem<?> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("node did not stop within 30 s", e);
    }
  }
}
