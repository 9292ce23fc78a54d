package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionEntity.Command;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.execution.ExecutionEntity.State;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StepStatus;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Gates;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle table and the invariants of docs/architecture.md, one test each, on the entity alone with an
 * in-memory journal and serialization checks on. Steps are real child actors of a custom "gate"
 * type, so each test decides exactly when a step ends.
 */
class ExecutionEntityTest {

  static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.serialization-bindings {
        "dev.stepwise.engine.CborSerializable" = jackson-cbor
      }
      stepwise.step-dispatcher {
        type = Dispatcher
        executor = "thread-pool-executor"
        thread-pool-executor.fixed-pool-size = 4
      }
      """).withFallback(EventSourcedBehaviorTestKit.config());

  static final Duration WAIT = Duration.ofSeconds(30);
  static ActorTestKit testKit;
  static final Gates gates = new Gates();

  @BeforeAll
  static void startTestKit() {
    testKit = ActorTestKit.create("entity-test", CONFIG);
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  static StepDefinition gate(String name) {
    return StepDefinition.custom(name, "gate", null);
  }

  /** One execution under test, with the shortcuts the tests below share. */
  static final class Run {
    final String id = UUID.randomUUID().toString();
    final EventSourcedBehaviorTestKit<Command, Event, State> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(),
            ExecutionEntity.create(id, StepTypes.with(Map.of("gate", gates)), null));

    ExecutionView start(JobDefinition job) {
      return start(job, null);
    }

    ExecutionView start(JobDefinition job, Instant startAt) {
      var result = kit.<ExecutionEntity.StartReply>runCommand(
          replyTo -> new ExecutionEntity.Start("job", job, startAt, "alice", null, replyTo));
      return ((ExecutionEntity.Started) result.reply()).view();
    }

    ExecutionEntity.StopReply stop(StopMode mode, String reason, String by) {
      return stop(mode, reason, by, null);
    }

    ExecutionEntity.StopReply stop(StopMode mode, String reason, String by, Integer grace) {
      return kit.<ExecutionEntity.StopReply>runCommand(
          replyTo -> new ExecutionEntity.Stop(mode, reason, by, grace, replyTo)).reply();
    }

    ExecutionView view() {
      return ((ExecutionEntity.Found) kit.<ExecutionEntity.GetReply>runCommand(
          ExecutionEntity.Get::new).reply()).view();
    }

    Gates.Gate gate(String step, int attempt) {
      return gates.await(id, step, attempt);
    }

    ExecutionView awaitStatus(Status status) {
      return Eventually.await(id + " reaches " + status, WAIT, this::view,
          view -> view.status() == status);
    }

    List<Object> events() {
      return kit.persistenceTestKit().persistedInStorage(ExecutionEntity.persistenceId(id).id());
    }

    List<String> eventTypes() {
      return events().stream().map(e -> e.getClass().getSimpleName()).toList();
    }

    <T> List<T> eventsOf(Class<T> type) {
      return events().stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  static ExecutionView accepted(ExecutionEntity.StopReply reply) {
    assertThat(reply).isInstanceOf(ExecutionEntity.StopAccepted.class);
    return ((ExecutionEntity.StopAccepted) reply).view();
  }

  @Nested
  class Start {
    @Test
    void startWithoutStartTimeRunsTheFirstStep() {
      Run run = new Run();
      ExecutionView view = run.start(JobDefinition.of(gate("a"), gate("b")));
      assertThat(view.status()).isEqualTo(Status.Running);
      assertThat(view.currentStep()).isEqualTo("a");
      run.gate("a", 1);
      assertThat(run.eventTypes())
          .containsExactly("ExecutionCreated", "ExecutionStarted", "StepStarted");
    }

    @Test
    void startWithFutureStartTimeWaitsInPendingThenRuns() {
      Run run = new Run();
      ExecutionView view = run.start(JobDefinition.of(gate("a")),
          Instant.now().plusMillis(400));
      assertThat(view.status()).isEqualTo(Status.Pending);
      assertThat(run.eventTypes()).containsExactly("ExecutionCreated");
      run.gate("a", 1);
      assertThat(run.view().status()).isEqualTo(Status.Running);
      assertThat(run.eventTypes())
          .containsExactly("ExecutionCreated", "ExecutionStarted", "StepStarted");
    }
  }

  @Nested
  class Running {
    @Test
    void succeededStepStartsTheNextAndTheLastEndsInSuccess() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a"), gate("b")));
      run.gate("a", 1).pass();
      run.gate("b", 1).pass();
      ExecutionView view = run.awaitStatus(Status.Success);
      assertThat(view.steps()).extracting(s -> s.status())
          .containsExactly(StepStatus.Success, StepStatus.Success);
      assertThat(run.eventTypes()).containsExactly("ExecutionCreated", "ExecutionStarted",
          "StepStarted", "StepSucceeded", "StepStarted", "StepSucceeded", "ExecutionSucceeded");
    }

    @Test
    void failedStepWithAttemptsLeftIsRetriedAfterItsBackoff() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a").withRetry(3, 0.2)));
      run.gate("a", 1).fail("boom");
      run.gate("a", 2).pass();
      ExecutionView view = run.awaitStatus(Status.Success);
      assertThat(view.steps().get(0).attempt()).isEqualTo(2);
      assertThat(run.eventTypes()).containsExactly("ExecutionCreated", "ExecutionStarted",
          "StepStarted", "StepFailed", "RetryScheduled", "StepStarted", "StepSucceeded",
          "ExecutionSucceeded");
      var retry = run.eventsOf(ExecutionEntity.RetryScheduled.class).get(0);
      assertThat(Duration.between(retry.at(), retry.retryAt())).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void failedStepWithNoAttemptsLeftGoesToTheDeadLetterQueue() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a").withRetry(2, 0), gate("b")));
      run.gate("a", 1).fail("boom");
      run.gate("a", 2).fail("boom again");
      ExecutionView view = run.awaitStatus(Status.DeadLetter);
      assertThat(view.error()).contains("'a'").contains("2 attempts");
      assertThat(view.steps().get(1).status()).isEqualTo(StepStatus.Skipped);
      assertThat(run.eventTypes()).endsWith("StepFailed", "ExecutionDeadLettered");
      assertThat(gates.started(run.id, "b", 1)).isFalse();
    }

    @Test
    void jobThatOptsOutOfTheDeadLetterQueueEndsFailed() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")).withDeadLetter(false));
      run.gate("a", 1).fail("boom");
      run.awaitStatus(Status.Failed);
      assertThat(run.eventTypes()).endsWith("StepFailed", "ExecutionFailed")
          .doesNotContain("ExecutionDeadLettered");
    }

    @Test
    void executionDeadlineTimesOutAndKillsTheRunningStep() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")).withTimeoutSeconds(1));
      Gates.Gate gate = run.gate("a", 1);
      ExecutionView view = run.awaitStatus(Status.Timeout);
      assertThat(gate.awaitCancelled(Duration.ZERO)).isTrue();
      assertThat(view.steps().get(0).status()).isEqualTo(StepStatus.Interrupted);
      assertThat(run.eventTypes()).endsWith("StepInterrupted", "ExecutionTimedOut");
    }
  }

  @Nested
  class Stop {
    @Test
    void gracefulStopLetsTheRunningStepFinishAndStartsNoOther() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a"), gate("b")));
      Gates.Gate a = run.gate("a", 1);
      ExecutionView cancelling = accepted(run.stop(StopMode.graceful, "bad deploy", "bob"));
      assertThat(cancelling.status()).isEqualTo(Status.Cancelling);
      assertThat(cancelling.cancellation().mode()).isEqualTo(StopMode.graceful);
      assertThat(cancelling.cancellation().reason()).isEqualTo("bad deploy");
      assertThat(cancelling.cancellation().requestedBy()).isEqualTo("bob");
      assertThat(cancelling.cancellation().requestedAt()).isNotNull();
      assertThat(a.awaitCancelled(Duration.ofMillis(100))).isFalse();
      a.pass();
      ExecutionView view = run.awaitStatus(Status.Cancelled);
      assertThat(view.steps()).extracting(s -> s.status())
          .containsExactly(StepStatus.Success, StepStatus.Skipped);
      assertThat(gates.started(run.id, "b", 1)).isFalse();
      assertThat(run.eventTypes()).containsExactly("ExecutionCreated", "ExecutionStarted",
          "StepStarted", "StopRequested", "StepSucceeded", "ExecutionCancelled");
    }

    @Test
    void forceStopKillsTheRunningStepBeforeAnsweringCancelled() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a"), gate("b")));
      Gates.Gate a = run.gate("a", 1);
      ExecutionView view = accepted(run.stop(StopMode.force, "runaway", "carol"));
      assertThat(view.status()).isEqualTo(Status.Cancelled);
      assertThat(a.awaitCancelled(Duration.ZERO)).isTrue();
      assertThat(view.cancellation().mode()).isEqualTo(StopMode.force);
      assertThat(view.cancellation().requestedBy()).isEqualTo("carol");
      assertThat(view.steps().get(0).status()).isEqualTo(StepStatus.Interrupted);
      assertThat(run.eventTypes()).containsExactly("ExecutionCreated", "ExecutionStarted",
          "StepStarted", "StopRequested", "StepInterrupted", "ExecutionCancelled");
      var requested = run.eventsOf(ExecutionEntity.StopRequested.class).get(0);
      assertThat(requested.mode()).isEqualTo(StopMode.force);
      assertThat(requested.reason()).isEqualTo("runaway");
      assertThat(requested.requestedBy()).isEqualTo("carol");
    }

    @Test
    void forceStopOfASleepStepCancelsItsTimer() {
      Run run = new Run();
      run.start(JobDefinition.of(StepDefinition.sleep("nap", 3600), gate("b")));
      ExecutionView view = accepted(run.stop(StopMode.force, null, "nap-hater"));
      assertThat(view.status()).isEqualTo(Status.Cancelled);
      assertThat(view.steps()).extracting(s -> s.status())
          .containsExactly(StepStatus.Interrupted, StepStatus.Skipped);
      assertThat(run.eventTypes()).endsWith("StopRequested", "StepInterrupted",
          "ExecutionCancelled");
    }

    @Test
    void stopOfPendingExecutionCancelsItWithNothingRun() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")), Instant.now().plusSeconds(3600));
      ExecutionView view = accepted(run.stop(StopMode.graceful, null, "dave"));
      assertThat(view.status()).isEqualTo(Status.Cancelled);
      assertThat(view.steps().get(0).status()).isEqualTo(StepStatus.Skipped);
      assertThat(run.eventTypes())
          .containsExactly("ExecutionCreated", "StopRequested", "ExecutionCancelled");
    }

    @Test
    void gracefulStopWhileWaitingForARetryCancelsAtOnce() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a").withRetry(3, 3600)));
      run.gate("a", 1).fail("boom");
      Eventually.await("retry scheduled", WAIT,
          () -> run.eventTypes().contains("RetryScheduled"));
      ExecutionView view = accepted(run.stop(StopMode.graceful, "give up", "erin"));
      assertThat(view.status()).isEqualTo(Status.Cancelled);
      assertThat(run.eventTypes()).endsWith("RetryScheduled", "StopRequested",
          "ExecutionCancelled");
    }

    @Test
    void forceStopWhileWaitingForARetryCancelsAtOnce() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a").withRetry(3, 3600)));
      run.gate("a", 1).fail("boom");
      Eventually.await("retry scheduled", WAIT,
          () -> run.eventTypes().contains("RetryScheduled"));
      ExecutionView view = accepted(run.stop(StopMode.force, null, "erin"));
      assertThat(view.status()).isEqualTo(Status.Cancelled);
      assertThat(run.eventTypes()).endsWith("StopRequested", "ExecutionCancelled");
    }

    @Test
    void graceDeadlineEscalatesToAKill() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")));
      Gates.Gate a = run.gate("a", 1);
      accepted(run.stop(StopMode.graceful, "drain", "frank", 1));
      ExecutionView view = run.awaitStatus(Status.Cancelled);
      assertThat(a.awaitCancelled(Duration.ZERO)).isTrue();
      assertThat(view.cancellation().mode()).isEqualTo(StopMode.escalated);
      assertThat(view.cancellation().requestedBy()).isEqualTo("frank");
      assertThat(view.cancellation().escalatedBy()).isEqualTo(ExecutionEntity.ENGINE);
      assertThat(view.cancellation().escalationReason()).contains("grace period of 1 s");
      assertThat(run.eventTypes()).endsWith("StopRequested", "StopEscalated", "StepInterrupted",
          "ExecutionCancelled");
    }

    @Test
    void forceStopDuringGracefulStopEscalates() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")));
      Gates.Gate a = run.gate("a", 1);
      accepted(run.stop(StopMode.graceful, "drain", "frank"));
      ExecutionView view = accepted(run.stop(StopMode.force, "taking too long", "grace"));
      assertThat(view.status()).isEqualTo(Status.Cancelled);
      assertThat(a.awaitCancelled(Duration.ZERO)).isTrue();
      assertThat(view.cancellation().mode()).isEqualTo(StopMode.escalated);
      assertThat(view.cancellation().escalatedBy()).isEqualTo("grace");
      assertThat(view.cancellation().escalationReason()).isEqualTo("taking too long");
      assertThat(run.eventTypes()).endsWith("StopRequested", "StopEscalated", "StepInterrupted",
          "ExecutionCancelled");
    }

    @Test
    void repeatedGracefulStopIsAcceptedAndChangesNothing() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")));
      run.gate("a", 1);
      accepted(run.stop(StopMode.graceful, "once", "henry"));
      int before = run.events().size();
      ExecutionView again = accepted(run.stop(StopMode.graceful, "twice", "ida"));
      assertThat(again.status()).isEqualTo(Status.Cancelling);
      assertThat(again.cancellation().reason()).isEqualTo("once");
      assertThat(run.events()).hasSize(before);
    }

    @Test
    void stopOfAnEndedExecutionIsRefusedWithItsStatus() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")));
      run.gate("a", 1).pass();
      run.awaitStatus(Status.Success);
      int before = run.events().size();
      var reply = run.stop(StopMode.force, null, "jack");
      assertThat(reply).isInstanceOf(ExecutionEntity.StopRefused.class);
      assertThat(((ExecutionEntity.StopRefused) reply).view().status()).isEqualTo(Status.Success);
      assertThat(run.events()).hasSize(before);
    }

    @Test
    void gracefulStopRunsTheCleanupStepsBeforeCancelled() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a"), gate("b")).withOnCancel(gate("cleanup")));
      run.gate("a", 1);
      accepted(run.stop(StopMode.graceful, null, "kim"));
      run.gate("a", 1).pass();
      Gates.Gate cleanup = run.gate("cleanup", 1);
      assertThat(run.view().status()).isEqualTo(Status.Cancelling);
      cleanup.pass();
      ExecutionView view = run.awaitStatus(Status.Cancelled);
      assertThat(view.steps()).extracting(s -> s.name() + ":" + s.status())
          .containsExactly("a:Success", "b:Skipped", "cleanup:Success");
      assertThat(gates.started(run.id, "b", 1)).isFalse();
    }

    @Test
    void forceStopSkipsTheCleanupSteps() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")).withOnCancel(gate("cleanup")));
      run.gate("a", 1);
      ExecutionView view = accepted(run.stop(StopMode.force, null, "kim"));
      assertThat(view.status()).isEqualTo(Status.Cancelled);
      assertThat(gates.started(run.id, "cleanup", 1)).isFalse();
    }
  }

  @Nested
  class Invariants {
    @Test
    void cancelledExecutionIsNeverRetriedNorDeadLettered() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a").withRetry(5, 0)));
      Gates.Gate a = run.gate("a", 1);
      accepted(run.stop(StopMode.graceful, null, "liz"));
      a.fail("boom while stopping");
      ExecutionView view = run.awaitStatus(Status.Cancelled);
      assertThat(view.steps().get(0).status()).isEqualTo(StepStatus.Failed);
      assertThat(run.eventTypes()).doesNotContain("RetryScheduled", "ExecutionDeadLettered")
          .endsWith("StepFailed", "ExecutionCancelled");
      assertThat(gates.started(run.id, "a", 2)).isFalse();
    }

    @Test
    void exactlyOneTerminalEventAndOnlyReadsAfterIt() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a")));
      run.gate("a", 1).pass();
      run.awaitStatus(Status.Success);
      var again = run.kit.<ExecutionEntity.StartReply>runCommand(replyTo ->
          new ExecutionEntity.Start("job", JobDefinition.of(gate("a")), null, "x", null, replyTo));
      assertThat(again.reply()).isInstanceOf(ExecutionEntity.AlreadyExists.class);
      assertThat(run.stop(StopMode.graceful, null, "x"))
          .isInstanceOf(ExecutionEntity.StopRefused.class);
      assertThat(run.stop(StopMode.force, null, "x"))
          .isInstanceOf(ExecutionEntity.StopRefused.class);
      assertThat(run.eventsOf(ExecutionEntity.Terminal.class)).hasSize(1);
      assertThat(run.view().status()).isEqualTo(Status.Success);
    }
  }

  @Nested
  class Recovery {
    @Test
    void runningExecutionRerunsTheStepInFlightAsANewAttempt() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a"), gate("b")));
      Gates.Gate first = run.gate("a", 1);
      run.kit.restart();
      assertThat(first.awaitCancelled(WAIT)).isTrue();
      run.gate("a", 2).pass();
      run.gate("b", 1).pass();
      run.awaitStatus(Status.Success);
      assertThat(run.eventTypes()).containsSubsequence("StepStarted", "StepInterrupted",
          "StepStarted", "StepSucceeded");
      var interrupted = run.eventsOf(ExecutionEntity.StepInterrupted.class).get(0);
      assertThat(interrupted.attempt()).isEqualTo(1);
      assertThat(interrupted.cause()).contains("node");
    }

    @Test
    void cancellingExecutionEndsCancelled() {
      Run run = new Run();
      run.start(JobDefinition.of(gate("a"), gate("b")));
      run.gate("a", 1);
      accepted(run.stop(StopMode.graceful, "maintenance", "mo"));
      run.kit.restart();
      ExecutionView view = run.awaitStatus(Status.Cancelled);
      assertThat(view.cancellation().reason()).isEqualTo("maintenance");
      assertThat(run.eventTypes()).endsWith("StopRequested", "StepInterrupted",
          "ExecutionCancelled");
      assertThat(gates.started(run.id, "b", 1)).isFalse();
    }

    @Test
    void pendingExecutionRearmsItsStartTimer() {
      Run run = new Run();
      // far enough ahead that a restart on a loaded machine still finds it Pending
      run.start(JobDefinition.of(gate("a")), Instant.now().plusSeconds(3));
      State recovered = run.kit.restart().state();
      assertThat(recovered).isInstanceOf(ExecutionEntity.Pending.class);
      run.gate("a", 1).pass();
      run.awaitStatus(Status.Success);
    }

    @Test
    void unknownExecutionAnswersUnknownAndJournalsNothing() {
      Run run = new Run();
      var reply = run.kit.<ExecutionEntity.GetReply>runCommand(ExecutionEntity.Get::new).reply();
      assertThat(reply).isInstanceOf(ExecutionEntity.Unknown.class);
      assertThat(run.stop(StopMode.force, null, "x")).isInstanceOf(ExecutionEntity.Unknown.class);
      assertThat(run.events()).isEmpty();
    }
  }

  @Nested
  class StateTypes {
    /** Each state type that lasts long enough to be asked answers every client command. */
    @Test
    void eachStateTypeFollowsFromTheExecutionAndAnswersEveryClientCommand() {
      Run pending = new Run();
      pending.start(JobDefinition.of(gate("a")), Instant.now().plusSeconds(3600));
      answersStartAndGet(pending, ExecutionEntity.Pending.class, Status.Pending);

      Run run = new Run();
      run.start(JobDefinition.of(gate("a").withRetry(3, 3600), gate("b")));
      answersStartAndGet(run, ExecutionEntity.Running.class, Status.Running);
      run.gate("a", 1).fail("boom");
      Eventually.await("the retry wait", WAIT, () -> run.kit.getState(),
          state -> state instanceof ExecutionEntity.AwaitingRetry);
      answersStartAndGet(run, ExecutionEntity.AwaitingRetry.class, Status.Running);

      Run draining = new Run();
      draining.start(JobDefinition.of(gate("a")));
      draining.gate("a", 1);
      accepted(draining.stop(StopMode.graceful, "drain", "dee"));
      answersStartAndGet(draining, ExecutionEntity.Draining.class, Status.Cancelling);
      assertThat(accepted(draining.stop(StopMode.graceful, "again", "dee")).status())
          .isEqualTo(Status.Cancelling);

      accepted(run.stop(StopMode.force, "enough", "eve"));
      run.awaitStatus(Status.Cancelled);
      answersStartAndGet(run, ExecutionEntity.Cancelled.class, Status.Cancelled);
      assertThat(run.stop(StopMode.force, "again", "eve"))
          .isInstanceOf(ExecutionEntity.StopRefused.class);
    }

    private void answersStartAndGet(Run run, Class<?> stateType, Status status) {
      assertThat(run.kit.getState()).isInstanceOf(stateType);
      var again = run.kit.<ExecutionEntity.StartReply>runCommand(replyTo ->
          new ExecutionEntity.Start("job", JobDefinition.of(gate("x")), null, "bob", null,
              replyTo)).reply();
      assertThat(again).isInstanceOf(ExecutionEntity.AlreadyExists.class);
      assertThat(run.view().status()).isEqualTo(status);
    }
  }
}
