package dev.stepwise.engine.execution;

import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.MDC;

/**
 * The MDC fields that every log line about one execution carries: its id, its job, its step and
 * the acting user. An entity keeps one, current as the execution changes, and sets it around every
 * message it handles, so that its own lines, Pekko's lines about it and the lines its observers
 * log after a persist all carry the same fields.
 */
public final class ExecutionMdc {

  public static final String EXECUTION_ID = "executionId";
  public static final String JOB = "job";
  public static final String STEP = "step";
  public static final String USER = "user";

  private Map<String, String> fields;

  ExecutionMdc(String executionId) {
    this.fields = Map.of(EXECUTION_ID, executionId);
  }

  /** The fields as of the last change the entity made. */
  Map<String, String> fields() {
    return fields;
  }

  /**
   * Takes the fields of {@code execution}, also for the rest of the message being handled (the
   * interceptor of {@link #around} clears the MDC after each message).
   */
  void update(Execution execution) {
    if (execution != null) {
      fields = of(execution);
      fields.forEach(MDC::put);
    }
  }

  /**
   * {@code behavior} with these fields set around every message it gets, journal replies and
   * timers included, not only commands: the code after a persist runs on a journal reply.
   */
  @SuppressWarnings("unchecked")
  <T> Behavior<T> around(Behavior<T> behavior) {
    Behavior<Object> anyMessage = (Behavior<Object>) (Behavior<?>) behavior;
    return (Behavior<T>) (Behavior<?>) Behaviors.withMdc(Object.class, this::forMessage,
        anyMessage);
  }

  /** A start or a stop is acted by whoever sent it, even before anything is journaled. */
  private Map<String, String> forMessage(Object message) {
    if (message instanceof ExecutionEntity.Start start) {
      return with(with(fields, JOB, start.job()), USER, start.requestedBy());
    }
    if (message instanceof ExecutionEntity.Stop stop) {
      return with(fields, USER, stop.requestedBy());
    }
    return fields;
  }

  /** The fields of a line about {@code execution}: its current (or last) step, its acting user. */
  public static Map<String, String> of(Execution execution) {
    Map<String, String> fields = new HashMap<>();
    fields.put(EXECUTION_ID, execution.id());
    fields.put(JOB, execution.job());
    if (execution.current() >= 0 && execution.current() < execution.steps().size()) {
      fields.put(STEP, execution.steps().get(execution.current()).name());
    }
    String user = actingUser(execution);
    if (user != null) {
      fields.put(USER, user);
    }
    fields.values().removeIf(value -> value == null);
    return Map.copyOf(fields);
  }

  /** Who stopped the execution once someone did (the engine, on grace expiry); else its creator. */
  static String actingUser(Execution execution) {
    Cancellation stop = execution.cancellation();
    if (stop == null) {
      return execution.createdBy();
    }
    return stop.escalatedBy() != null ? stop.escalatedBy() : stop.requestedBy();
  }

  /**
   * Sets {@code values} on this thread's MDC until the scope closes, then puts back what was
   * there: for lines logged outside an execution's actor, such as the HTTP edge's.
   */
  public static Scope scope(Map<String, String> values) {
    Map<String, String> previous = new HashMap<>();
    values.forEach((key, value) -> {
      previous.put(key, MDC.get(key));
      if (value == null) {
        MDC.remove(key);
      } else {
        MDC.put(key, value);
      }
    });
    return new Scope(previous);
  }

  /** Undoes a {@link #scope}; closing it throws nothing. */
  public static final class Scope implements AutoCloseable {
    private final Map<String, String> previous;

    private Scope(Map<String, String> previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      previous.forEach((key, value) -> {
        if (value == null) {
          MDC.remove(key);
        } else {
          MDC.put(key, value);
        }
      });
    }
  }

  private static Map<String, String> with(Map<String, String> fields, String key, String value) {
    if (value == null) {
      return fields;
    }
    Map<String, String> more = new HashMap<>(fields);
    more.put(key, value);
    return Map.copyOf(more);
  }
}
