package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.execution.Execution;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionEntity.Command;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.execution.ExecutionEntity.State;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StepRun;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.Gates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * Random interleavings of step outcomes, graceful and force stops, and restarts of the entity:
 * whatever happens, the invariants of docs/architecture.md hold, and replaying the journal gives the state
 * the live entity reached.
 */
class ExecutionStateMachineTest {

  enum Action { PASS, FAIL, GRACEFUL_STOP, FORCE_STOP, RESTART }

  static final Duration WAIT = Duration.ofSeconds(30);
  static ActorTestKit testKit;
  static final Gates gates = new Gates();

  @BeforeContainer
  static void start() {
    testKit = ActorTestKit.create("state-machine", ExecutionEntityTest.CONFIG);
  }

  @AfterContainer
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Property(tries = 60)
  void invariantsHoldUnderAnyInterleaving(
      @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 1, max = 3) Integer> attempts,
      @ForAll boolean cleanup,
      @ForAll @Size(max = 14) List<Action> actions) {
    List<StepDefinition> steps = new ArrayList<>();
    for (int i = 0; i < attempts.size(); i++) {
      steps.add(StepDefinition.custom("s" + i, "gate", null).withRetry(attempts.get(i), 0));
    }
    JobDefinition job = new JobDefinition(null, steps, null, null, null,
        cleanup ? List.of(StepDefinition.custom("cleanup", "gate", null)) : null);
    Run run = new Run(job);

    for (Action action : actions) {
      if (run.view().status().isTerminal()) {
        break;
      }
      run.perform(action);
    }
    for (int i = 0; i < 30 && !run.view().status().isTerminal(); i++) {
      run.perform(Action.PASS);
    }
    ExecutionView end = run.view();
    assertThat(end.status().isTerminal()).as("ends").isTrue();
    int before = run.events().size();
    assertThat(run.stop(StopMode.force)).isInstanceOf(ExecutionEntity.StopRefused.class);
    assertThat(run.events()).as("nothing after the end").hasSize(before);
    checkInvariants(job, run.events(), end);
  }

  private static void checkInvariants(JobDefinition job, List<Event> events, ExecutionView end) {
    List<Event> terminal = events.stream().filter(ExecutionEntity.Terminal.class::isInstance)
        .toList();
    assertThat(terminal).as("exactly one terminal event").hasSize(1);
    assertThat(events.get(events.size() - 1)).as("terminal event last").isSameAs(terminal.get(0));

    Execution replayed = Execution.replay(events).orElseThrow();
    assertThat(replayed.status()).as("replay agrees").isEqualTo(end.status());
    assertThat(replayed.steps()).as("replay agrees on steps").isEqualTo(end.steps());

    int stopAt = indexOf(events, ExecutionEntity.StopRequested.class);
    if (stopAt >= 0) {
      assertThat(end.status()).as("a stop ends cancelled").isEqualTo(Status.Cancelled);
      List<Event> after = events.subList(stopAt, events.size());
      assertThat(after).as("never retried after a stop")
          .noneMatch(ExecutionEntity.RetryScheduled.class::isInstance);
      assertThat(after).as("no main step starts after a stop").noneMatch(e ->
          e instanceof ExecutionEntity.StepStarted s && s.index() < job.steps().size());
      var stop = (ExecutionEntity.StopRequested) events.get(stopAt);
      int escalatedAt = indexOf(events, ExecutionEntity.StopEscalated.class);
      int killedFrom = stop.mode() == StopMode.force ? stopAt : escalatedAt;
      if (killedFrom >= 0) {
        assertThat(events.subList(killedFrom, events.size())).as("a kill starts nothing")
            .noneMatch(ExecutionEntity.StepStarted.class::isInstance);
      }
    } else {
      boolean allSucceeded = end.steps().stream().limit(job.steps().size())
          .allMatch(s -> s.status().name().equals("Success"));
      assertThat(end.status()).isEqualTo(allSucceeded ? Status.Success : Status.DeadLetter);
    }
    for (int i = 0; i < job.steps().size(); i++) {
      int index = i;
      long failures = events.stream().filter(e ->
          e instanceof ExecutionEntity.StepFailed f && f.index() == index).count();
      assertThat(failures).as("failures of step " + i)
          .isLessThanOrEqualTo(job.steps().get(i).retryPolicy().maxAttempts());
      if (i > 0) {
        int started = indexOfStart(events, i);
        if (started >= 0) {
          assertThat(events.subList(0, started)).as("step " + i + " follows its predecessor")
              .anyMatch(e -> e instanceof ExecutionEntity.StepSucceeded s
                  && s.index() == index - 1);
        }
      }
    }
  }

  private static int indexOf(List<Event> events, Class<?> type) {
    for (int i = 0; i < events.size(); i++) {
      if (type.isInstance(events.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfStart(List<Event> events, int step) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i) instanceof ExecutionEntity.StepStarted s && s.index() == step) {
        return i;
      }
    }
    return -1;
  }

  /** One execution driven by the actions. */
  static final class Run {
    final String id = UUID.randomUUID().toString();
    final EventSourcedBehaviorTestKit<Command, Event, State> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(),
            ExecutionEntity.create(id, StepTypes.with(Map.of("gate", gates)), null));

    Run(JobDefinition job) {
      kit.<ExecutionEntity.StartReply>runCommand(
          replyTo -> new ExecutionEntity.Start("job", job, null, "prop", null, replyTo));
      settle();
    }

    void perform(Action action) {
      switch (action) {
        case PASS, FAIL -> {
          Gates.Gate gate = currentGate();
          if (gate != null) {
            long seq = view().sequenceNr();
            if (action == Action.PASS) {
              gate.pass();
            } else {
              gate.fail("random failure");
            }
            Eventually.await("the outcome is journaled", WAIT, () -> view().sequenceNr() > seq);
          }
        }
        case GRACEFUL_STOP -> stop(StopMode.graceful);
        case FORCE_STOP -> stop(StopMode.force);
        case RESTART -> kit.restart();
      }
      settle();
    }

    ExecutionEntity.StopReply stop(StopMode mode) {
      return kit.<ExecutionEntity.StopReply>runCommand(
          replyTo -> new ExecutionEntity.Stop(mode, "random", "prop", null, replyTo)).reply();
    }

    /** Waits until the execution has ended or its current attempt's step is really running. */
    void settle() {
      Eventually.await("settled", WAIT, () -> {
        ExecutionView view = view();
        return view.status().isTerminal() || currentGate() != null;
      });
    }

    /** The live gate of the attempt in flight, or null when none runs right now. */
    Gates.Gate currentGate() {
      ExecutionView view = view();
      StepRun step = view.steps().stream().filter(s -> s.status().name().equals("Running"))
          .findFirst().orElse(null);
      if (step == null) {
        return null;
      }
      Gates.Gate gate = gates.peek(id, step.name(), step.attempt());
      return gate == null || gate.isCancelled() ? null : gate;
    }

    ExecutionView view() {
      return ((ExecutionEntity.Found) kit.<ExecutionEntity.GetReply>runCommand(
          ExecutionEntity.Get::new).reply()).view();
    }

    List<Event> events() {
      return kit.persistenceTestKit().persistedInStorage(ExecutionEntity.persistenceId(id).id())
          .stream().map(Event.class::cast).toList();
    }
  }
}
