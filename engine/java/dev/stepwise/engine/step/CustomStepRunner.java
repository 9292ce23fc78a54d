package dev.stepwise.engine.step;

import dev.stepwise.engine.job.StepDefinition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Runs a {@link CustomStep} and tells it to give up when the actor is stopped. */
final class CustomStepRunner {

  private record Finished(StepResult result) implements StepMessage {}

  private CustomStepRunner() {}

  static Behavior<StepMessage> create(CustomStep step, StepDefinition.Custom definition,
      StepAttempt attempt, Executor blocking) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Cancellation cancellation = new Cancellation(attempt, definition, blocking);
      CompletionStage<StepResult> work;
      try {
        work = step.run(cancellation);
      } catch (RuntimeException e) {
        work = CompletableFuture.failedFuture(e);
      }
      CompletionStage<StepResult> running = work;
      cancellation.onCancel(() -> running.toCompletableFuture().cancel(true));
      context.pipeToSelf(running, (result, failure) -> new Finished(failure == null
          ? (result == null ? StepResult.failure("the step returned no result") : result)
          : StepResult.failure("step failed: " + failure)));
      StepTimeout.arm(timers, definition);
      return Behaviors.receive(StepMessage.class)
          .onMessage(Finished.class, finished -> {
            cancellation.finish();
            attempt.report(finished.result());
            return Behaviors.stopped();
          })
          .onMessageEquals(StepTimeout.Expired.INSTANCE, () -> {
            cancellation.cancel();
            attempt.report(StepResult.failure(StepTimeout.error(definition)));
            return Behaviors.stopped();
          })
          .onSignal(PostStop.class, signal -> {
            cancellation.cancel();
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** The context a custom step sees; cancelling it runs the step's callbacks once. */
  private static final class Cancellation implements StepContext {
    private final StepAttempt attempt;
    private final StepDefinition.Custom definition;
    private final Executor blocking;
    private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;
    private volatile boolean finished;

    Cancellation(StepAttempt attempt, StepDefinition.Custom definition, Executor blocking) {
      this.attempt = attempt;
      this.definition = definition;
      this.blocking = blocking;
    }

    @Override public String executionId() { return attempt.executionId(); }

    @Override public String stepName() { return definition.name(); }

    @Override public int attempt() { return attempt.attempt(); }

    @Override public Map<String, String> params() { return definition.paramsOrEmpty(); }

    @Override public Executor blockingExecutor() { return blocking; }

    @Override public boolean isCancelled() { return cancelled; }

    @Override
    public void onCancel(Runnable action) {
      callbacks.add(action);
      if (cancelled) {
        action.run();
      }
    }

    void finish() {
      finished = true;
    }

    void cancel() {
      if (cancelled || finished) {
        return;
      }
      cancelled = true;
      for (Runnable callback : callbacks) {
        try {
          callback.run();
        } catch (RuntimeException e) {
          // one misbehaving callback must not keep the others from running
        }
      }
    }
  }
}
