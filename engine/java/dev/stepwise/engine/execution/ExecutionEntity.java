package dev.stepwise.engine.execution;

import dev.stepwise.engine.CborSerializable;
import dev.stepwise.engine.JournalSerializable;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.engine.step.StepAttempt;
import dev.stepwise.engine.step.StepOutcome;
import dev.stepwise.engine.step.StepResult;
import dev.stepwise.engine.step.StepTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One execution of a job: a sharded, event-sourced actor that runs the job's steps one at a time
 * as child actors, retries them, and stops gracefully (the running step finishes) or by force
 * (the running step's child is stopped, which kills its work) on request.
 */
public final class ExecutionEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ExecutionEntity.Command, ExecutionEntity.Event, ExecutionEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Execution");

  /** Every event carries this tag, so read sides can follow all executions in journal order. */
  public static final String TAG = "execution";

  /** Who acts when the engine itself escalates or ends an execution. */
  public static final String ENGINE = "stepwise";

  private static final String DEADLINE_CAUSE = "execution deadline";

  private static final String NODE_STOPPED_CAUSE = "the node running it stopped";

  // ---------------------------------------------------------------- commands

  public sealed interface Command extends CborSerializable {}

  /** Creates the execution and runs it now, or at {@code startAt} when that lies ahead. */
  public record Start(
      String job, JobDefinition definition, Instant startAt, String requestedBy, String retryOf,
      ActorRef<StartReply> replyTo) implements Command {}

  /** Asks the execution to stop; {@code graceSeconds} overrides the job's grace period. */
  public record Stop(
      StopMode mode, String reason, String requestedBy, Integer graceSeconds,
      ActorRef<StopReply> replyTo) implements Command {}

  public record Get(ActorRef<GetReply> replyTo) implements Command {}

  /** Messages the entity sends itself (a step's outcome, a timer), never a client. */
  private sealed interface Internal extends Command {}

  private record StepReported(StepOutcome outcome) implements Internal {}

  /**
   * A step child is gone. {@code incarnation} tells apart children of an earlier incarnation of
   * this entity: when a failed write restarts the entity, its children are stopped and their
   * notices may still be queued, but the step they ran is resumed as a new attempt instead.
   * {@code byDeadline} marks the child the execution's deadline killed.
   */
  private record StepStopped(int index, int attempt, int incarnation, boolean byDeadline)
      implements Internal {}

  private record RetryDue(int index) implements Internal {}

  private enum StartTimeReached implements Internal { INSTANCE }

  private enum DeadlinePassed implements Internal { INSTANCE }

  private enum GraceExpired implements Internal { INSTANCE }

  private enum ResumeInterruptedStep implements Internal { INSTANCE }

  // ---------------------------------------------------------------- replies

  public sealed interface StartReply extends CborSerializable {}

  public sealed interface StopReply extends CborSerializable {}

  public sealed interface GetReply extends CborSerializable {}

  public record Started(ExecutionView view) implements StartReply {}

  /** A start for an id that is taken: the existing execution, left as it was. */
  public record AlreadyExists(ExecutionView view) implements StartReply {}

  /** The stop is journaled; a force stop answers once the step's work is dead. */
  public record StopAccepted(ExecutionView view) implements StopReply {}

  /** The execution had already ended; nothing changed. */
  public record StopRefused(ExecutionView view) implements StopReply {}

  public record Found(ExecutionView view) implements GetReply {}

  public record Unknown(String executionId) implements StopReply, GetReply {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends JournalSerializable {
    /** When it happened, by the clock of the node that journaled it. */
    Instant at();

    /** Hands the event to the visitor's method for its kind. */
    <R> R accept(EventVisitor<R> visitor);

    /** The event's public name (see {@link EventNames}). */
    default String type() {
      return EventNames.of(this);
    }
  }

  public record ExecutionCreated(
      String executionId, String job, JobDefinition definition, Instant startAt, String createdBy,
      String retryOf, Instant at) implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.executionCreated(this);
    }
  }

  public record ExecutionStarted(Instant at) implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.executionStarted(this);
    }
  }

  /** {@code step} is the step's name (since schema version 2; null in older events). */
  public record StepStarted(int index, int attempt, String step, Instant at) implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.stepStarted(this);
    }
  }

  public record StepSucceeded(int index, int attempt, Integer exitCode, String output, Instant at)
      implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.stepSucceeded(this);
    }
  }

  public record StepFailed(
      int index, int attempt, Integer exitCode, String output, String error, Instant at)
      implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.stepFailed(this);
    }
  }

  /** The attempt was killed or cut short; {@code cause} says by what. Never counts as a failure. */
  public record StepInterrupted(int index, int attempt, String cause, Instant at) implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.stepInterrupted(this);
    }
  }

  public record RetryScheduled(int index, int nextAttempt, Instant retryAt, Instant at)
      implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.retryScheduled(this);
    }
  }

  public record StopRequested(
      StopMode mode, String reason, String requestedBy, Instant graceDeadline, Instant at)
      implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.stopRequested(this);
    }
  }

  public record StopEscalated(String reason, String requestedBy, Instant at) implements Event {
    @Override
    public <R> R accept(EventVisitor<R> visitor) {
      return visitor.stopEscalated(this);
    }
  }

  /**
   * Marks the one event after which an execution never changes again. Readers take the ending
   * kinds alike, by their status and error, so they share one visitor method.
   */
  public sealed interface Terminal extends Event {
    /** The status the execution ends in. */
    Status status();

    /** Why it ended unsuccessfully, when it did. */
    default String error() {
      return null;
    }

    @Override
    default <R> R accept(EventVisitor<R> visitor) {
      return visitor.executionEnded(this);
    }
  }

  public record ExecutionSucceeded(Instant at) implements Terminal {
    @Override public Status status() { return Status.Success; }
  }

  public record ExecutionFailed(String error, Instant at) implements Terminal {
    @Override public Status status() { return Status.Failed; }
  }

  public record ExecutionDeadLettered(String error, Instant at) implements Terminal {
    @Override public Status status() { return Status.DeadLetter; }
  }

  public record ExecutionTimedOut(String error, Instant at) implements Terminal {
    @Override public Status status() { return Status.Timeout; }
  }

  public record ExecutionCancelled(Instant at) implements Terminal {
    @Override public Status status() { return Status.Cancelled; }
  }

  // ---------------------------------------------------------------- state

  /**
   * One type for each status the API shows and each way of behaving within it; each has its own
   * command handlers. Only the execution's data is snapshotted: the type follows from it.
   */
  public sealed interface State extends CborSerializable {
    /** The execution's data; null only before it was created. */
    Execution execution();

    static State of(Execution execution) {
      return switch (execution.status()) {
        case Pending -> new Pending(execution);
        case Running -> execution.retryAt() == null
            ? new Running(execution) : new AwaitingRetry(execution);
        case Cancelling -> execution.cancellation().kills()
            ? new Killing(execution) : new Draining(execution);
        case Success -> new Succeeded(execution);
        case Failed -> new Failed(execution);
        case Timeout -> new TimedOut(execution);
        case DeadLetter -> new DeadLettered(execution);
        case Cancelled -> new Cancelled(execution);
      };
    }
  }

  /** No execution with this id was ever created. */
  public record Empty() implements State {
    @Override public Execution execution() { return null; }
  }

  /** Created to start at a later time. */
  public record Pending(Execution execution) implements State {}

  /** A step is running, or starting. */
  public record Running(Execution execution) implements State {}

  /** A step failed and waits for its next attempt ({@code retryAt}); nothing runs. */
  public record AwaitingRetry(Execution execution) implements State {}

  /** A graceful stop: the running step may finish, then the job's cleanup steps run. */
  public record Draining(Execution execution) implements State {}

  /** A force stop, or a graceful one that escalated: the running step is being killed. */
  public record Killing(Execution execution) implements State {}

  /** The execution ended and never changes again. */
  public sealed interface Ended extends State {}

  public record Succeeded(Execution execution) implements Ended {}

  public record Failed(Execution execution) implements Ended {}

  public record TimedOut(Execution execution) implements Ended {}

  public record DeadLettered(Execution execution) implements Ended {}

  public record Cancelled(Execution execution) implements Ended {}

  // ---------------------------------------------------------------- wiring

  /**
   * Starts sharding of executions on this node; non-terminal ones restart with the node.
   * {@code observer} learns of every change they journal.
   */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system, StepTypes stepTypes, ExecutionObserver observer) {
    return ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
        context -> create(context.getEntityId(), stepTypes, observer, context.getShard())));
  }

  public static Behavior<Command> create(
      String executionId, StepTypes stepTypes,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return create(executionId, stepTypes, new ExecutionLog(), shard);
  }

  public static Behavior<Command> create(
      String executionId, StepTypes stepTypes, ExecutionObserver observer,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(context -> {
      ExecutionMdc mdc = new ExecutionMdc(executionId);
      return mdc.around(Behaviors.withTimers(timers ->
          new ExecutionEntity(executionId, stepTypes, observer, mdc, shard, context, timers)));
    });
  }

  public static PersistenceId persistenceId(String executionId) {
    return PersistenceId.of(ENTITY_KEY.name(), executionId);
  }

  private final String executionId;
  private final StepTypes stepTypes;
  private final ExecutionObserver observer;
  /** The log fields of this execution, set around every message it handles. */
  private final ExecutionMdc mdc;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<StepOutcome> stepReports;
  /** Force stops answer once the killed step's child has stopped; not journaled, by design. */
  private final List<ActorRef<StopReply>> awaitingKill = new ArrayList<>();
  /** Counts recoveries; this object outlives the restarts that a failed write causes. */
  private int incarnation;

  private ExecutionEntity(
      String executionId, StepTypes stepTypes, ExecutionObserver observer, ExecutionMdc mdc,
      ActorRef<ClusterSharding.ShardCommand> shard, ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(persistenceId(executionId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.executionId = executionId;
    this.stepTypes = stepTypes;
    this.observer = observer;
    this.mdc = mdc;
    this.shard = shard;
    this.context = context;
    this.timers = timers;
    this.stepReports = context.messageAdapter(StepOutcome.class, StepReported::new);
  }

  @Override
  public State emptyState() {
    return new Empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  /**
   * A snapshot holds the execution alone; its state type follows from it, so that reshaping the
   * state types never strands a snapshot.
   */
  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return state.execution();
      }

      @Override
      public State fromJournal(Object stored) {
        if (stored instanceof LegacyStateSnapshot legacy) {
          return State.of(legacy.execution());
        }
        return State.of((Execution) stored);
      }
    };
  }

  /** An ended execution is snapshotted at once, so that retention may prune its journal. */
  @Override
  public boolean shouldSnapshot(State state, Event event, long sequenceNr) {
    return event instanceof Terminal;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> State.of(event instanceof ExecutionCreated created
            ? Execution.created(created)
            : state.execution().apply(event)));
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.class, (state, signal) -> onRecovered(state))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return emptyHandlers()
        .orElse(pendingHandlers())
        .orElse(runningHandlers())
        .orElse(awaitingRetryHandlers())
        .orElse(drainingHandlers())
        .orElse(killingHandlers())
        .orElse(endedHandlers())
        .orElse(lateInternalMessages())
        .build();
  }

  // ---------------------------------------------------------------- Empty

  private CommandHandlerWithReplyBuilderByState<Command, Event, Empty, State> emptyHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Empty.class)
        .onCommand(Start.class, this::create)
        .onCommand(Stop.class, stop -> unknown(stop.replyTo()))
        .onCommand(Get.class, get -> unknown(get.replyTo()));
  }

  private ReplyEffect<Event, State> create(Empty state, Start start) {
    Instant now = Instant.now();
    List<Event> events = new ArrayList<>();
    events.add(new ExecutionCreated(executionId, start.job(), start.definition(), start.startAt(),
        start.requestedBy(), start.retryOf(), now));
    if (start.startAt() == null || !start.startAt().isAfter(now)) {
      events.add(new ExecutionStarted(now));
      events.add(new StepStarted(0, 1, start.definition().steps().get(0).name(), now));
    }
    return persist(state.execution(), events)
        .thenRun(this::afterChange)
        .thenReply(start.replyTo(), s -> new Started(view(s)));
  }

  private ReplyEffect<Event, State> unknown(ActorRef<? super Unknown> replyTo) {
    passivate();
    return Effect().reply(replyTo, new Unknown(executionId));
  }

  // ---------------------------------------------------------------- Pending

  private CommandHandlerWithReplyBuilderByState<Command, Event, Pending, State> pendingHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Pending.class)
        .onCommand(Stop.class, (state, stop) -> persist(state.execution(),
            List.of(stopRequested(state, stop, Instant.now()),
                new ExecutionCancelled(Instant.now())))
            .thenRun(this::afterChange)
            .thenReply(stop.replyTo(), s -> new StopAccepted(view(s))))
        .onCommand(StartTimeReached.INSTANCE::equals, (state, reached) -> {
          Instant now = Instant.now();
          return persist(state.execution(),
                  List.of(new ExecutionStarted(now), stepStarted(state.execution(), 0, 1, now)))
              .thenRun(this::afterChange)
              .thenNoReply();
        })
        .onCommand(Start.class, this::alreadyExists)
        .onCommand(Get.class, this::found);
  }

  // ---------------------------------------------------------------- Running

  private CommandHandlerWithReplyBuilderByState<Command, Event, Running, State> runningHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Running.class)
        .onCommand(Stop.class, this::stopRunning)
        .onCommand(StepReported.class, this::stepReportedWhileRunning)
        .onCommand(StepStopped.class, this::stepStoppedWhileRunning)
        .onCommand(DeadlinePassed.INSTANCE::equals, (state, signal) -> deadlinePassed(state))
        .onCommand(ResumeInterruptedStep.INSTANCE::equals,
            (state, signal) -> resumeInterruptedStep(state))
        .onCommand(Start.class, this::alreadyExists)
        .onCommand(Get.class, this::found);
  }

  private ReplyEffect<Event, State> stopRunning(Running state, Stop stop) {
    Execution execution = state.execution();
    if (!stepChildAlive(execution)) {
      return stopWhileNothingRuns(state, stop); // the step died with the previous incarnation
    }
    StopRequested requested = stopRequested(state, stop, Instant.now());
    if (stop.mode() == StopMode.graceful) {
      return persist(execution, requested)
          .thenRun(this::afterChange)
          .thenReply(stop.replyTo(), s -> new StopAccepted(view(s)));
    }
    // The work dies first, while the stop waits its turn in the journal's queue; the answer
    // still waits for both. A node dying before the write has acknowledged nothing, and its
    // recovery runs the step again.
    awaitingKill.add(stop.replyTo());
    killStep(execution);
    return persist(execution, requested).thenRun(this::afterChange).thenNoReply();
  }

  private ReplyEffect<Event, State> stepReportedWhileRunning(Running state, StepReported report) {
    Execution execution = state.execution();
    StepOutcome outcome = report.outcome();
    if (!isCurrent(execution, outcome.index(), outcome.attempt()) || pastDeadline(execution)) {
      return Effect().noReply(); // stale, or the deadline's kill is under way
    }
    Instant now = Instant.now();
    StepResult result = outcome.result();
    List<Event> events = new ArrayList<>();
    int index = outcome.index();
    if (result.succeeded()) {
      events.add(new StepSucceeded(index, outcome.attempt(), result.exitCode(), result.output(),
          now));
      if (index + 1 < execution.mainStepCount()) {
        events.add(stepStarted(execution, index + 1, 1, now));
      } else {
        events.add(new ExecutionSucceeded(now));
      }
    } else {
      events.add(new StepFailed(index, outcome.attempt(), result.exitCode(), result.output(),
          result.error(), now));
      events.addAll(afterFailure(execution, index, outcome.attempt(), now));
    }
    return persist(execution, events).thenRun(this::afterChange).thenNoReply();
  }

  /** What follows a failed attempt: another attempt, or the end of the execution. */
  private static List<Event> afterFailure(Execution execution, int index, int attempt,
      Instant now) {
    StepDefinition step = execution.stepDefinition(index);
    int failures = execution.steps().get(index).failures() + 1;
    if (failures < step.retryPolicy().maxAttempts()) {
      long backoffMillis = Math.round(step.retryPolicy().backoffSeconds() * 1000);
      if (backoffMillis == 0) {
        return List.of(stepStarted(execution, index, attempt + 1, now));
      }
      return List.of(new RetryScheduled(index, attempt + 1, now.plusMillis(backoffMillis), now));
    }
    String error = "step '" + step.name() + "' failed after " + failures + " attempt"
        + (failures == 1 ? "" : "s");
    return List.of(execution.definition().deadLetterEnabled()
        ? new ExecutionDeadLettered(error, now)
        : new ExecutionFailed(error, now));
  }

  private ReplyEffect<Event, State> stepStoppedWhileRunning(Running state, StepStopped stopped) {
    Execution execution = state.execution();
    if (!execution.inFlight() || !isCurrent(execution, stopped)) {
      return Effect().noReply();
    }
    Instant now = Instant.now();
    if (stopped.byDeadline()) {
      return persist(execution, List.of(
              new StepInterrupted(stopped.index(), stopped.attempt(), DEADLINE_CAUSE, now),
              timedOut(execution, now)))
          .thenRun(this::afterChange)
          .thenNoReply();
    }
    // The child stopped without a report: its runner crashed. Count it as a failed attempt.
    List<Event> events = new ArrayList<>();
    events.add(new StepFailed(stopped.index(), stopped.attempt(), null, null,
        "the step's runner stopped unexpectedly; see the node's log", now));
    events.addAll(afterFailure(execution, stopped.index(), stopped.attempt(), now));
    return persist(execution, events).thenRun(this::afterChange).thenNoReply();
  }

  private ReplyEffect<Event, State> deadlinePassed(Running state) {
    Execution execution = state.execution();
    if (stepChildAlive(execution)) {
      killStepAtDeadline(execution); // its stop notice times the execution out
      return Effect().noReply();
    }
    return timeOutWhileNothingRuns(execution);
  }

  private ReplyEffect<Event, State> resumeInterruptedStep(Running state) {
    Execution execution = state.execution();
    if (!execution.inFlight() || stepChildAlive(execution)) {
      return Effect().noReply();
    }
    Instant now = Instant.now();
    List<Event> events = new ArrayList<>(interruptCurrent(execution, NODE_STOPPED_CAUSE, now));
    events.add(stepStarted(execution, execution.current(), execution.currentAttempt() + 1, now));
    return persist(execution, events).thenRun(this::afterChange).thenNoReply();
  }

  // ---------------------------------------------------------------- AwaitingRetry

  private CommandHandlerWithReplyBuilderByState<Command, Event, AwaitingRetry, State>
      awaitingRetryHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(AwaitingRetry.class)
        .onCommand(Stop.class, this::stopWhileNothingRuns)
        .onCommand(RetryDue.class, this::retryDue)
        .onCommand(DeadlinePassed.INSTANCE::equals,
            (state, signal) -> timeOutWhileNothingRuns(state.execution()))
        .onCommand(Start.class, this::alreadyExists)
        .onCommand(Get.class, this::found);
  }

  private ReplyEffect<Event, State> retryDue(AwaitingRetry state, RetryDue due) {
    Execution execution = state.execution();
    if (execution.current() != due.index()) {
      return Effect().noReply();
    }
    return persist(execution, stepStarted(execution, due.index(), execution.currentAttempt() + 1,
            Instant.now()))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  /** A stop while no step's work is alive: it ends the execution, or starts its cleanup, now. */
  private ReplyEffect<Event, State> stopWhileNothingRuns(State state, Stop stop) {
    Execution execution = state.execution();
    Instant now = Instant.now();
    StopRequested requested = stopRequested(state, stop, now);
    List<Event> events = new ArrayList<>();
    events.add(requested);
    events.addAll(interruptCurrent(execution, interruptCause(requested.mode()), now));
    events.addAll(cleanupOrCancelled(execution, requested.mode(), now));
    return persist(execution, events)
        .thenRun(this::afterChange)
        .thenReply(stop.replyTo(), s -> new StopAccepted(view(s)));
  }

  private ReplyEffect<Event, State> timeOutWhileNothingRuns(Execution execution) {
    Instant now = Instant.now();
    List<Event> events = new ArrayList<>(interruptCurrent(execution, DEADLINE_CAUSE, now));
    events.add(timedOut(execution, now));
    return persist(execution, events).thenRun(this::afterChange).thenNoReply();
  }

  // ---------------------------------------------------------------- Draining

  private CommandHandlerWithReplyBuilderByState<Command, Event, Draining, State>
      drainingHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Draining.class)
        .onCommand(Stop.class, this::stopDraining)
        .onCommand(StepReported.class, this::stepReportedWhileDraining)
        .onCommand(StepStopped.class, (state, stopped) -> stepStoppedWhileCancelling(state,
            stopped, "the step's runner stopped unexpectedly during a graceful stop"))
        .onCommand(GraceExpired.INSTANCE::equals, (state, signal) -> graceExpired(state))
        .onCommand(ResumeInterruptedStep.INSTANCE::equals,
            (state, signal) -> endInterruptedCancel(state))
        .onCommand(Start.class, this::alreadyExists)
        .onCommand(Get.class, this::found);
  }

  /** A second graceful stop changes nothing; a force stop escalates this one. */
  private ReplyEffect<Event, State> stopDraining(Draining state, Stop stop) {
    if (stop.mode() == StopMode.graceful) {
      return Effect().reply(stop.replyTo(), new StopAccepted(view(state)));
    }
    StopEscalated escalated = new StopEscalated(
        stop.reason() == null ? "force stop during a graceful stop" : stop.reason(),
        stop.requestedBy(), Instant.now());
    return escalate(state.execution(), escalated, stop.replyTo());
  }

  private ReplyEffect<Event, State> graceExpired(Draining state) {
    Execution execution = state.execution();
    Duration grace = Duration.between(execution.cancellation().requestedAt(),
        execution.cancellation().graceDeadline());
    StopEscalated escalated = new StopEscalated(
        "grace period of " + grace.toSeconds() + " s passed", ENGINE, Instant.now());
    return escalate(execution, escalated, null);
  }

  private ReplyEffect<Event, State> escalate(Execution execution, StopEscalated escalated,
      ActorRef<StopReply> replyTo) {
    if (stepChildAlive(execution)) {
      if (replyTo != null) {
        awaitingKill.add(replyTo);
      }
      killStep(execution); // before the write, as for a force stop
      return persist(execution, escalated).thenRun(this::afterChange).thenNoReply();
    }
    List<Event> events = new ArrayList<>();
    events.add(escalated);
    events.addAll(interruptCurrent(execution, interruptCause(StopMode.escalated), escalated.at()));
    events.add(new ExecutionCancelled(escalated.at()));
    var effect = persist(execution, events).thenRun(this::afterChange);
    return replyTo == null
        ? effect.thenNoReply()
        : effect.thenReply(replyTo, s -> new StopAccepted(view(s)));
  }

  private ReplyEffect<Event, State> stepReportedWhileDraining(Draining state,
      StepReported report) {
    Execution execution = state.execution();
    StepOutcome outcome = report.outcome();
    if (!isCurrent(execution, outcome.index(), outcome.attempt())) {
      return Effect().noReply();
    }
    Instant now = Instant.now();
    StepResult result = outcome.result();
    List<Event> events = new ArrayList<>();
    events.add(result.succeeded()
        ? new StepSucceeded(outcome.index(), outcome.attempt(), result.exitCode(), result.output(),
            now)
        : new StepFailed(outcome.index(), outcome.attempt(), result.exitCode(), result.output(),
            result.error(), now));
    int next = outcome.index() + 1;
    if (execution.isCleaningUp() && next < execution.steps().size()) {
      events.add(stepStarted(execution, next, 1, now));
    } else if (execution.isCleaningUp()) {
      events.add(new ExecutionCancelled(now));
    } else {
      events.addAll(cleanupOrCancelled(execution, StopMode.graceful, now));
    }
    return persist(execution, events).thenRun(this::afterChange).thenNoReply();
  }

  // ---------------------------------------------------------------- Killing

  private CommandHandlerWithReplyBuilderByState<Command, Event, Killing, State> killingHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Killing.class)
        .onCommand(Stop.class, this::stopKilling)
        .onCommand(StepStopped.class, (state, stopped) -> stepStoppedWhileCancelling(state,
            stopped, interruptCause(state.execution().cancellation().mode())))
        .onCommand(ResumeInterruptedStep.INSTANCE::equals,
            (state, signal) -> endInterruptedCancel(state))
        .onCommand(Start.class, this::alreadyExists)
        .onCommand(Get.class, this::found);
  }

  /** A kill is under way: a force stop is answered with the others once the step is dead. */
  private ReplyEffect<Event, State> stopKilling(Killing state, Stop stop) {
    if (stop.mode() != StopMode.graceful && stepChildAlive(state.execution())) {
      awaitingKill.add(stop.replyTo());
      return Effect().noReply();
    }
    return Effect().reply(stop.replyTo(), new StopAccepted(view(state)));
  }

  // ---------------------------------------------------------------- Draining and Killing

  private ReplyEffect<Event, State> stepStoppedWhileCancelling(State state, StepStopped stopped,
      String cause) {
    Execution execution = state.execution();
    if (!execution.inFlight() || !isCurrent(execution, stopped)) {
      return Effect().noReply();
    }
    Instant now = Instant.now();
    return persist(execution, List.of(
            new StepInterrupted(stopped.index(), stopped.attempt(), cause, now),
            new ExecutionCancelled(now)))
        .thenRun(this::afterChange)
        .thenNoReply();
  }

  /** Recovered mid-stop: the step died with the old incarnation, so the stop is complete. */
  private ReplyEffect<Event, State> endInterruptedCancel(State state) {
    Execution execution = state.execution();
    if (stepChildAlive(execution)) {
      return Effect().noReply();
    }
    Instant now = Instant.now();
    List<Event> events = new ArrayList<>(interruptCurrent(execution, NODE_STOPPED_CAUSE, now));
    events.add(new ExecutionCancelled(now));
    return persist(execution, events).thenRun(this::afterChange).thenNoReply();
  }

  // ---------------------------------------------------------------- Ended

  private CommandHandlerWithReplyBuilderByState<Command, Event, Ended, State> endedHandlers() {
    return newCommandHandlerWithReplyBuilder().forStateType(Ended.class)
        .onCommand(Stop.class, (state, stop) ->
            Effect().reply(stop.replyTo(), new StopRefused(view(state))))
        .onCommand(Start.class, this::alreadyExists)
        .onCommand(Get.class, this::found);
  }

  // ---------------------------------------------------------------- shared

  /**
   * Internal messages that arrive after the state they were meant for has passed (a step's late
   * report, a timer that fired as the execution moved on). Every client command has a handler
   * in every state, so that each gets its answer.
   */
  private CommandHandlerWithReplyBuilderByState<Command, Event, State, State>
      lateInternalMessages() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Internal.class, (state, message) -> Effect().noReply());
  }

  private ReplyEffect<Event, State> alreadyExists(State state, Start start) {
    return Effect().reply(start.replyTo(), new AlreadyExists(view(state)));
  }

  private ReplyEffect<Event, State> found(State state, Get get) {
    return Effect().reply(get.replyTo(), new Found(view(state)));
  }

  private StopRequested stopRequested(State state, Stop stop, Instant now) {
    int grace = stop.graceSeconds() != null
        ? stop.graceSeconds()
        : state.execution().definition().stopGraceOrDefault();
    Instant graceDeadline = stop.mode() == StopMode.graceful ? now.plusSeconds(grace) : null;
    return new StopRequested(stop.mode(), stop.reason(), stop.requestedBy(), graceDeadline, now);
  }

  /**
   * After a graceful stop's step has ended: the job's cleanup steps if it has any, else the end.
   * A forced stop skips cleanup, because "now" is what its caller asked for.
   */
  private static List<Event> cleanupOrCancelled(Execution execution, StopMode mode, Instant now) {
    boolean hasCleanup = execution.steps().size() > execution.mainStepCount();
    if (mode == StopMode.graceful && hasCleanup && !execution.isCleaningUp()) {
      return List.of(stepStarted(execution, execution.mainStepCount(), 1, now));
    }
    return List.of(new ExecutionCancelled(now));
  }

  /** The attempt in flight, recorded as interrupted by {@code cause}; nothing when none is. */
  private static List<Event> interruptCurrent(Execution execution, String cause, Instant now) {
    return execution.inFlight()
        ? List.of(new StepInterrupted(execution.current(), execution.currentAttempt(), cause, now))
        : List.of();
  }

  private static StepStarted stepStarted(Execution execution, int index, int attempt,
      Instant now) {
    return new StepStarted(index, attempt, execution.stepDefinition(index).name(), now);
  }

  private static String interruptCause(StopMode mode) {
    return switch (mode) {
      case force -> "killed by a force stop";
      case escalated -> "killed when the graceful stop escalated";
      case graceful -> "stopped gracefully";
    };
  }

  private static Terminal timedOut(Execution execution, Instant now) {
    return new ExecutionTimedOut("the execution ran longer than its timeout of "
        + execution.definition().timeoutSeconds() + " s", now);
  }

  /** The execution's timeout has run out by this node's clock (its deadline kill may be due). */
  private static boolean pastDeadline(Execution execution) {
    Instant deadline = execution.deadline();
    return deadline != null && !Instant.now().isBefore(deadline);
  }

  private static boolean isCurrent(Execution execution, int index, int attempt) {
    return execution.current() == index && execution.currentAttempt() == attempt;
  }

  /** The notice is about the attempt in flight, from a child this incarnation started. */
  private boolean isCurrent(Execution execution, StepStopped stopped) {
    return stopped.incarnation() == incarnation
        && isCurrent(execution, stopped.index(), stopped.attempt());
  }

  /**
   * Every write goes through here, so that the observer learns of each one with how long the
   * journal took, and the log fields follow the execution.
   */
  private EffectBuilder<Event, State> persist(Execution before, List<Event> events) {
    long asked = System.nanoTime();
    return Effect().persist(events).thenRun(after -> persisted(before, events, after, asked));
  }

  private void persisted(Execution before, List<Event> events, State after, long asked) {
    mdc.update(after.execution());
    try {
      observer.persisted(before, events, after.execution(),
          Duration.ofNanos(System.nanoTime() - asked));
    } catch (RuntimeException e) {
      context.getLog().warn("an execution observer failed; the execution goes on", e);
    }
  }

  private EffectBuilder<Event, State> persist(Execution before, Event event) {
    return persist(before, List.of(event));
  }

  private ExecutionView view(State state) {
    return ExecutionView.of(state.execution(), lastSequenceNumber(context));
  }

  // ---------------------------------------------------------------- side effects

  /** Runs after every persisted change: start what the new state needs, arm its timers. */
  private void afterChange(State state) {
    Execution execution = state.execution();
    if (execution.status().isTerminal()) {
      timers.cancelAll();
      answerAwaitingKill(state);
      passivate();
      return;
    }
    if (execution.inFlight() && !stepChildAlive(execution) && !(state instanceof Killing)) {
      spawnStep(execution);
    }
    armTimers(state);
  }

  private void onRecovered(State state) {
    incarnation++;
    mdc.update(state.execution());
    if (state instanceof Ended) {
      passivate();
      return;
    }
    if (state.execution() == null) {
      return;
    }
    armTimers(state);
    if (state.execution().inFlight() || state instanceof Draining || state instanceof Killing) {
      context.getSelf().tell(ResumeInterruptedStep.INSTANCE);
    }
  }

  private void armTimers(State state) {
    Execution execution = state.execution();
    Instant now = Instant.now();
    if (state instanceof Pending && execution.startAt() != null) {
      arm(StartTimeReached.INSTANCE, execution.startAt(), now);
    }
    if (state instanceof Running || state instanceof AwaitingRetry) {
      if (execution.deadline() != null) {
        arm(DeadlinePassed.INSTANCE, execution.deadline(), now);
      }
    } else {
      timers.cancel(DeadlinePassed.INSTANCE);
    }
    if (state instanceof AwaitingRetry) {
      arm(new RetryDue(execution.current()), execution.retryAt(), now);
    } else {
      timers.cancel(RetryDue.class);
    }
    if (state instanceof Draining && execution.cancellation().graceDeadline() != null) {
      arm(GraceExpired.INSTANCE, execution.cancellation().graceDeadline(), now);
    } else {
      timers.cancel(GraceExpired.INSTANCE);
    }
  }

  private void arm(Command message, Instant at, Instant now) {
    Object key = message instanceof RetryDue ? RetryDue.class : message;
    if (!timers.isTimerActive(key)) {
      Duration delay = Duration.between(now, at);
      timers.startSingleTimer(key, message, delay.isNegative() ? Duration.ZERO : delay);
    }
  }

  private static String childName(int index, int attempt) {
    return "step-" + index + "-" + attempt;
  }

  private boolean stepChildAlive(Execution execution) {
    return execution.inFlight()
        && context.getChild(childName(execution.current(), execution.currentAttempt())).isPresent();
  }

  private void spawnStep(Execution execution) {
    int index = execution.current();
    int attempt = execution.currentAttempt();
    StepAttempt work = new StepAttempt(executionId, index, attempt,
        execution.stepDefinition(index), stepReports);
    try {
      var child = stepTypes.spawn(context, childName(index, attempt), work,
          ExecutionMdc.of(execution));
      context.watchWith(child, new StepStopped(index, attempt, incarnation, false));
    } catch (RuntimeException e) {
      context.getLog().error("execution {} could not start step {} attempt {}", executionId,
          index, attempt, e);
      stepReports.tell(new StepOutcome(index, attempt,
          StepResult.failure("could not start the step on this node: " + e.getMessage())));
    }
  }

  private void killStep(Execution execution) {
    context.getChild(childName(execution.current(), execution.currentAttempt()))
        .ifPresent(context::stop);
  }

  /** Kills the running step so that its stop notice says the deadline killed it. */
  private void killStepAtDeadline(Execution execution) {
    int index = execution.current();
    int attempt = execution.currentAttempt();
    context.getChild(childName(index, attempt)).ifPresent(child -> {
      context.unwatch(child);
      context.watchWith(child, new StepStopped(index, attempt, incarnation, true));
      context.stop(child);
    });
  }

  private void answerAwaitingKill(State state) {
    if (!awaitingKill.isEmpty()) {
      StopAccepted reply = new StopAccepted(view(state));
      awaitingKill.forEach(replyTo -> replyTo.tell(reply));
      awaitingKill.clear();
    }
  }

  private void passivate() {
    if (shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
  }
}
