package dev.stepwise.engine.step;

import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.engine.job.StepVisitor;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.MDC;

/**
 * The step types a node can run: the built-in {@code shell}, {@code http} and {@code sleep}, and
 * custom ones registered by name. Gives the child behavior that runs one attempt of a step.
 */
public final class StepTypes {

  /** Steps block (processes, custom code), so they never share the default dispatcher. */
  public static final String STEP_DISPATCHER = "stepwise.step-dispatcher";

  public static final Set<String> BUILT_IN = StepDefinition.BUILT_IN;

  private final Map<String, CustomStep> custom;

  private StepTypes(Map<String, CustomStep> custom) {
    for (String name : custom.keySet()) {
      if (BUILT_IN.contains(name)) {
        throw new IllegalArgumentException("'" + name + "' is a built-in step type");
      }
    }
    this.custom = Map.copyOf(custom);
  }

  public static StepTypes builtIn() {
    return new StepTypes(Map.of());
  }

  /** The built-in types plus {@code custom}, keyed by the type name job definitions use. */
  public static StepTypes with(Map<String, CustomStep> custom) {
    return new StepTypes(custom);
  }

  public Set<String> names() {
    Set<String> names = new TreeSet<>(BUILT_IN);
    names.addAll(custom.keySet());
    return names;
  }

  Behavior<StepMessage> behaviorFor(StepAttempt attempt, Executor blocking) {
    return attempt.step().accept(new StepVisitor<>() {
      @Override
      public Behavior<StepMessage> shell(StepDefinition.Shell step) {
        return ShellStep.create(attempt, step);
      }

      @Override
      public Behavior<StepMessage> http(StepDefinition.Http step) {
        return HttpStep.create(attempt, step);
      }

      @Override
      public Behavior<StepMessage> sleep(StepDefinition.Sleep step) {
        return SleepStep.create(attempt, step);
      }

      @Override
      public Behavior<StepMessage> custom(StepDefinition.Custom step) {
        CustomStep code = custom.get(step.type());
        if (code == null) {
          throw new IllegalArgumentException("no step type '" + step.type() + "'");
        }
        return CustomStepRunner.create(code, step, attempt, blocking);
      }
    });
  }

  /**
   * Spawns the child that runs {@code attempt}; the caller owns (watches and stops) it. The
   * child's log lines, and those of work it hands to the blocking executor, carry {@code mdc}.
   */
  public ActorRef<StepMessage> spawn(ActorContext<?> parent, String name, StepAttempt attempt,
      Map<String, String> mdc) {
    DispatcherSelector dispatcher = DispatcherSelector.fromConfig(STEP_DISPATCHER);
    Executor steps = parent.getSystem().dispatchers().lookup(dispatcher);
    Executor blocking = task -> steps.execute(() -> withMdc(mdc, task));
    return parent.spawn(Behaviors.withMdc(StepMessage.class, mdc, behaviorFor(attempt, blocking)),
        name, dispatcher);
  }

  private static void withMdc(Map<String, String> mdc, Runnable task) {
    Map<String, String> previous = MDC.getCopyOfContextMap();
    mdc.forEach(MDC::put);
    try {
      task.run();
    } finally {
      if (previous == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(previous);
      }
    }
  }
}
