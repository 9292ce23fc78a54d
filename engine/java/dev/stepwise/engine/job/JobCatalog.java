package dev.stepwise.engine.job;

import dev.stepwise.engine.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The defined jobs of the cluster: one event-sourced, sharded entity under a well-known id whose
 * events say who defined, replaced or deleted which job, and when. Definitions arrive validated.
 */
public final class JobCatalog
    extends EventSourcedBehaviorWithEnforcedReplies<
        JobCatalog.Command, JobCatalog.Event, JobCatalog.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "JobCatalog");

  /** The one catalog of a cluster. */
  public static final String ID = "jobs";

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  /** Defines the job, or replaces its definition when the name is taken. */
  public record Define(String name, JobDefinition definition, String requestedBy,
      ActorRef<Defined> replyTo) implements Command {}

  public record Delete(String name, String requestedBy, ActorRef<DeleteReply> replyTo)
      implements Command {}

  public record Get(String name, ActorRef<GetReply> replyTo) implements Command {}

  public record ListJobs(ActorRef<Listing> replyTo) implements Command {}

  // ---------------------------------------------------------------- replies

  public sealed interface DeleteReply extends CborSerializable {}

  public sealed interface GetReply extends CborSerializable {}

  /** {@code created} is false when an existing definition was replaced. */
  public record Defined(Job job, boolean created) implements CborSerializable {}

  public record Deleted(Job job) implements DeleteReply {}

  public record Found(Job job) implements GetReply {}

  public record NotFound(String name) implements DeleteReply, GetReply {}

  public record Listing(List<Job> jobs) implements CborSerializable {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {}

  public record JobDefined(String name, JobDefinition definition, String by, Instant at)
      implements Event {}

  public record JobReplaced(String name, JobDefinition definition, String by, Instant at)
      implements Event {}

  public record JobDeleted(String name, String by, Instant at) implements Event {}

  // ---------------------------------------------------------------- state

  /** One defined job with who defined it first and who changed it last. */
  public record Job(String name, JobDefinition definition, Instant createdAt, String createdBy,
      Instant updatedAt, String updatedBy, int version) implements CborSerializable {}

  public record State(Map<String, Job> jobs) implements CborSerializable {

    static State empty() {
      return new State(Map.of());
    }

    State apply(Event event) {
      TreeMap<String, Job> next = new TreeMap<>(jobs);
      if (event instanceof JobDefined e) {
        next.put(e.name(), new Job(e.name(), e.definition(), e.at(), e.by(), e.at(), e.by(), 1));
      } else if (event instanceof JobReplaced e) {
        Job old = jobs.get(e.name());
        next.put(e.name(), new Job(e.name(), e.definition(), old.createdAt(), old.createdBy(),
            e.at(), e.by(), old.version() + 1));
      } else if (event instanceof JobDeleted e) {
        next.remove(e.name());
      }
      return new State(java.util.Collections.unmodifiableMap(next));
    }
  }

  // ---------------------------------------------------------------- wiring

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, context -> create()));
  }

  public static Behavior<Command> create() {
    return new JobCatalog();
  }

  private JobCatalog() {
    super(PersistenceId.of(ENTITY_KEY.name(), ID),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Define.class, this::define)
        .onCommand(Delete.class, this::delete)
        .onCommand(Get.class, (state, get) ->
            Effect().reply(get.replyTo(), found(state, get.name())))
        .onCommand(ListJobs.class, (state, list) ->
            Effect().reply(list.replyTo(), new Listing(List.copyOf(state.jobs().values()))))
        .build();
  }

  private ReplyEffect<Event, State> define(State state, Define define) {
    boolean created = !state.jobs().containsKey(define.name());
    Event event = created
        ? new JobDefined(define.name(), define.definition(), define.requestedBy(), Instant.now())
        : new JobReplaced(define.name(), define.definition(), define.requestedBy(), Instant.now());
    return Effect().persist(event).thenReply(define.replyTo(),
        s -> new Defined(s.jobs().get(define.name()), created));
  }

  private ReplyEffect<Event, State> delete(State state, Delete delete) {
    Job job = state.jobs().get(delete.name());
    if (job == null) {
      return Effect().reply(delete.replyTo(), new NotFound(delete.name()));
    }
    return Effect().persist(new JobDeleted(delete.name(), delete.requestedBy(), Instant.now()))
        .thenReply(delete.replyTo(), s -> new Deleted(job));
  }

  private static GetReply found(State state, String name) {
    Job job = state.jobs().get(name);
    return job == null ? new NotFound(name) : new Found(job);
  }
}
