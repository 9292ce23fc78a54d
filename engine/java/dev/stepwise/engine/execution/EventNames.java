package dev.stepwise.engine.execution;

import dev.stepwise.engine.execution.ExecutionEntity.Event;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The public name of each kind of event: what history, the event stream, audits and the
 * journal's serialization manifest call it. These strings are a contract with clients and with
 * every journal ever written, so they never follow a rename or a move of the Java class.
 * {@code EventNamesTest} checks that every event type has one.
 */
public final class EventNames {

  private static final Map<String, Class<? extends Event>> TYPES = Map.ofEntries(
      Map.entry("ExecutionCreated", ExecutionEntity.ExecutionCreated.class),
      Map.entry("ExecutionStarted", ExecutionEntity.ExecutionStarted.class),
      Map.entry("StepStarted", ExecutionEntity.StepStarted.class),
      Map.entry("StepSucceeded", ExecutionEntity.StepSucceeded.class),
      Map.entry("StepFailed", ExecutionEntity.StepFailed.class),
      Map.entry("StepInterrupted", ExecutionEntity.StepInterrupted.class),
      Map.entry("RetryScheduled", ExecutionEntity.RetryScheduled.class),
      Map.entry("StopRequested", ExecutionEntity.StopRequested.class),
      Map.entry("StopEscalated", ExecutionEntity.StopEscalated.class),
      Map.entry("ExecutionSucceeded", ExecutionEntity.ExecutionSucceeded.class),
      Map.entry("ExecutionFailed", ExecutionEntity.ExecutionFailed.class),
      Map.entry("ExecutionDeadLettered", ExecutionEntity.ExecutionDeadLettered.class),
      Map.entry("ExecutionTimedOut", ExecutionEntity.ExecutionTimedOut.class),
      Map.entry("ExecutionCancelled", ExecutionEntity.ExecutionCancelled.class));

  private static final Map<Class<?>, String> NAMES = names();

  private EventNames() {}

  public static String of(Event event) {
    String name = NAMES.get(event.getClass());
    if (name == null) {
      throw new IllegalStateException("event type without a public name: " + event.getClass());
    }
    return name;
  }

  /** The event type a public name stands for. */
  public static Optional<Class<? extends Event>> typeOf(String name) {
    return Optional.ofNullable(TYPES.get(name));
  }

  public static Map<String, Class<? extends Event>> all() {
    return TYPES;
  }

  private static Map<Class<?>, String> names() {
    Map<Class<?>, String> names = new HashMap<>();
    TYPES.forEach((name, type) -> names.put(type, name));
    return Map.copyOf(names);
  }
}
