package dev.stepwise.engine.execution;

import dev.stepwise.engine.execution.ExecutionEntity.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of what happens to executions, one line per journaled change that an operator would
 * ask about: created, stopped, escalated, a step failed or was interrupted, ended. Steps that
 * start and succeed are logged at DEBUG, so that a busy node's INFO log grows by two lines per
 * execution. Each line carries {@link ExecutionMdc}'s fields, with the step and the user it is
 * about.
 */
public final class ExecutionLog implements ExecutionObserver {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutionLog.class);

  @Override
  public void persisted(Execution before, List<Event> events, Execution after, Duration took) {
    for (Event event : events) {
      try (var scope = ExecutionMdc.scope(fieldsFor(event, after))) {
        log(event, before, after);
      }
    }
  }

  private static Map<String, String> fieldsFor(Event event, Execution after) {
    Map<String, String> fields = new HashMap<>(ExecutionMdc.of(after));
    Integer step = stepIndex(event);
    if (step != null) {
      fields.put(ExecutionMdc.STEP, after.steps().get(step).name());
    }
    String user = userOf(event);
    if (user != null) {
      fields.put(ExecutionMdc.USER, user);
    }
    return fields;
  }

  private static void log(Event event, Execution before, Execution after) {
    if (event instanceof ExecutionEntity.ExecutionCreated e) {
      LOG.info("execution of job {} created by {}{}", e.job(), e.createdBy(),
          e.startAt() != null && e.startAt().isAfter(e.at()) ? ", to start at " + e.startAt() : "");
    } else if (event instanceof ExecutionEntity.ExecutionStarted) {
      LOG.debug("execution started");
    } else if (event instanceof ExecutionEntity.StepStarted e) {
      LOG.debug("step {} attempt {} started", name(after, e.index()), e.attempt());
    } else if (event instanceof ExecutionEntity.StepSucceeded e) {
      LOG.debug("step {} attempt {} succeeded after {} ms", name(after, e.index()), e.attempt(),
          millisSinceStart(before, e.index(), e.attempt(), e.at()));
    } else if (event instanceof ExecutionEntity.StepFailed e) {
      LOG.info("step {} attempt {} failed after {} ms: {}", name(after, e.index()), e.attempt(),
          millisSinceStart(before, e.index(), e.attempt(), e.at()), e.error());
    } else if (event instanceof ExecutionEntity.StepInterrupted e) {
      LOG.info("step {} attempt {} interrupted: {}", name(after, e.index()), e.attempt(),
          e.cause());
    } else if (event instanceof ExecutionEntity.RetryScheduled e) {
      LOG.info("step {} will be retried (attempt {}) at {}", name(after, e.index()),
          e.nextAttempt(), e.retryAt());
    } else if (event instanceof ExecutionEntity.StopRequested e) {
      LOG.info("{} stop requested by {}{}", e.mode(), e.requestedBy(), reason(e.reason()));
    } else if (event instanceof ExecutionEntity.StopEscalated e) {
      LOG.info("graceful stop escalated by {}{}", e.requestedBy(), reason(e.reason()));
    } else if (event instanceof ExecutionEntity.Terminal e) {
      Duration ran = Duration.between(after.createdAt(), e.at());
      if (e.error() == null) {
        LOG.info("execution ended {} after {} ms", e.status(), ran.toMillis());
      } else {
        LOG.info("execution ended {} after {} ms: {}", e.status(), ran.toMillis(), e.error());
      }
    }
  }

  private static Integer stepIndex(Event event) {
    if (event instanceof ExecutionEntity.StepStarted e) {
      return e.index();
    } else if (event instanceof ExecutionEntity.StepSucceeded e) {
      return e.index();
    } else if (event instanceof ExecutionEntity.StepFailed e) {
      return e.index();
    } else if (event instanceof ExecutionEntity.StepInterrupted e) {
      return e.index();
    } else if (event instanceof ExecutionEntity.RetryScheduled e) {
      return e.index();
    }
    return null;
  }

  /** The user an event names as its actor, when it names one. */
  private static String userOf(Event event) {
    if (event instanceof ExecutionEntity.ExecutionCreated e) {
      return e.createdBy();
    } else if (event instanceof ExecutionEntity.StopRequested e) {
      return e.requestedBy();
    } else if (event instanceof ExecutionEntity.StopEscalated e) {
      return e.requestedBy();
    }
    return null;
  }

  private static String name(Execution execution, int index) {
    return execution.steps().get(index).name();
  }

  /** How long the attempt ran, or -1 when its start is not known here. */
  private static long millisSinceStart(Execution before, int index, int attempt, Instant end) {
    Instant start = ExecutionObserver.attemptStart(before, index, attempt);
    return start == null ? -1 : Duration.between(start, end).toMillis();
  }

  private static String reason(String reason) {
    return reason == null ? "" : ": " + reason;
  }
}
