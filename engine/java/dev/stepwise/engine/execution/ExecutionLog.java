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
    Lines lines = new Lines(before, after);
    for (Event event : events) {
      event.accept(lines);
    }
  }

  /** The line each kind of event logs, with the step and the user it is about. */
  private record Lines(Execution before, Execution after) implements EventVisitor<Void> {

    @Override
    public Void executionCreated(ExecutionEntity.ExecutionCreated e) {
      return log(null, e.createdBy(), () -> LOG.info("execution of job {} created by {}{}",
          e.job(), e.createdBy(),
          e.startAt() != null && e.startAt().isAfter(e.at())
              ? ", to start at " + e.startAt() : ""));
    }

    @Override
    public Void executionStarted(ExecutionEntity.ExecutionStarted e) {
      return log(null, null, () -> LOG.debug("execution started"));
    }

    @Override
    public Void stepStarted(ExecutionEntity.StepStarted e) {
      return log(e.index(), null, () -> LOG.debug("step {} attempt {} started",
          name(after, e.index()), e.attempt()));
    }

    @Override
    public Void stepSucceeded(ExecutionEntity.StepSucceeded e) {
      return log(e.index(), null, () -> LOG.debug("step {} attempt {} succeeded after {} ms",
          name(after, e.index()), e.attempt(),
          millisSinceStart(before, e.index(), e.attempt(), e.at())));
    }

    @Override
    public Void stepFailed(ExecutionEntity.StepFailed e) {
      return log(e.index(), null, () -> LOG.info("step {} attempt {} failed after {} ms: {}",
          name(after, e.index()), e.attempt(),
          millisSinceStart(before, e.index(), e.attempt(), e.at()), e.error()));
    }

    @Override
    public Void stepInterrupted(ExecutionEntity.StepInterrupted e) {
      return log(e.index(), null, () -> LOG.info("step {} attempt {} interrupted: {}",
          name(after, e.index()), e.attempt(), e.cause()));
    }

    @Override
    public Void retryScheduled(ExecutionEntity.RetryScheduled e) {
      return log(e.index(), null, () -> LOG.info("step {} will be retried (attempt {}) at {}",
          name(after, e.index()), e.nextAttempt(), e.retryAt()));
    }

    @Override
    public Void stopRequested(ExecutionEntity.StopRequested e) {
      return log(null, e.requestedBy(), () -> LOG.info("{} stop requested by {}{}", e.mode(),
          e.requestedBy(), reason(e.reason())));
    }

    @Override
    public Void stopEscalated(ExecutionEntity.StopEscalated e) {
      return log(null, e.requestedBy(), () -> LOG.info("graceful stop escalated by {}{}",
          e.requestedBy(), reason(e.reason())));
    }

    @Override
    public Void executionEnded(ExecutionEntity.Terminal e) {
      long ran = Duration.between(after.createdAt(), e.at()).toMillis();
      return log(null, null, () -> {
        if (e.error() == null) {
          LOG.info("execution ended {} after {} ms", e.status(), ran);
        } else {
          LOG.info("execution ended {} after {} ms: {}", e.status(), ran, e.error());
        }
      });
    }

    /** Writes {@code line} with the execution's log fields, plus the step and user when known. */
    private Void log(Integer step, String user, Runnable line) {
      Map<String, String> fields = new HashMap<>(ExecutionMdc.of(after));
      if (step != null) {
        fields.put(ExecutionMdc.STEP, after.steps().get(step).name());
      }
      if (user != null) {
        fields.put(ExecutionMdc.USER, user);
      }
      try (var scope = ExecutionMdc.scope(fields)) {
        line.run();
      }
      return null;
    }
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
