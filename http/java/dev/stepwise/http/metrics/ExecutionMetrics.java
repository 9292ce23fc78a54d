package dev.stepwise.http.metrics;

import dev.stepwise.engine.execution.EventVisitor;
import dev.stepwise.engine.execution.Execution;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionEntity.Event;
import dev.stepwise.engine.execution.ExecutionObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Counts and times what executions journal on this node: runs submitted, started and finished,
 * stops, escalations, retries, step durations, stop-to-cancelled latency and journal writes.
 * Counters are per node (sum them across nodes); labels are bounded: job names through
 * {@link JobLabels}, step types by the types a node can run, no execution ids.
 */
final class ExecutionMetrics implements ExecutionObserver {

  private static final Duration[] STEP_BUCKETS = durations(
      10, 50, 100, 500, 1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000);
  private static final Duration[] STOP_BUCKETS = durations(
      1, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000, 30_000, 60_000, 300_000);
  private static final Duration[] WRITE_BUCKETS = durations(
      1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000);

  private final MeterRegistry registry;
  private final JobLabels jobs;
  private final Timer journalWrites;
  private final Counter journalEvents;

  ExecutionMetrics(MeterRegistry registry, JobLabels jobs) {
    this.registry = registry;
    this.jobs = jobs;
    this.journalWrites = Timer.builder("stepwise.journal.write")
        .description("From an execution's persist call to the journal's confirmation")
        .serviceLevelObjectives(WRITE_BUCKETS)
        .register(registry);
    this.journalEvents = Counter.builder("stepwise.journal.events")
        .description("Events executions journaled on this node")
        .register(registry);
  }

  @Override
  public void persisted(Execution before, List<Event> events, Execution after, Duration took) {
    journalWrites.record(took);
    journalEvents.increment(events.size());
    Measures measures = new Measures(before, events, after, jobs.of(after.job()));
    for (Event event : events) {
      event.accept(measures);
    }
  }

  /** What each kind of event counts or times, within one write of an execution's events. */
  private final class Measures implements EventVisitor<Void> {
    private final Execution before;
    private final List<Event> write;
    private final Execution after;
    private final String job;

    Measures(Execution before, List<Event> write, Execution after, String job) {
      this.before = before;
      this.write = write;
      this.after = after;
      this.job = job;
    }

    @Override
    public Void executionCreated(ExecutionEntity.ExecutionCreated e) {
      // not "created": Prometheus reserves the _created suffix and would drop it
      count("stepwise.executions.submitted",
          "Executions created by a start or retry request, to run now or later", "job", job);
      return null;
    }

    @Override
    public Void executionStarted(ExecutionEntity.ExecutionStarted e) {
      count("stepwise.executions.started", "Executions that began running", "job", job);
      return null;
    }

    @Override
    public Void stepStarted(ExecutionEntity.StepStarted e) {
      if (e.attempt() > 1 && failedInSameWrite(write, e.index())) {
        retry(after, e.index()); // a retry without backoff starts in the write of its failure
      }
      return null;
    }

    @Override
    public Void stepSucceeded(ExecutionEntity.StepSucceeded e) {
      return stepEnded(before, after, e.index(), e.attempt(), e.at(), "succeeded");
    }

    @Override
    public Void stepFailed(ExecutionEntity.StepFailed e) {
      return stepEnded(before, after, e.index(), e.attempt(), e.at(), "failed");
    }

    @Override
    public Void stepInterrupted(ExecutionEntity.StepInterrupted e) {
      return stepEnded(before, after, e.index(), e.attempt(), e.at(), "interrupted");
    }

    @Override
    public Void retryScheduled(ExecutionEntity.RetryScheduled e) {
      return retry(after, e.index());
    }

    @Override
    public Void stopRequested(ExecutionEntity.StopRequested e) {
      count("stepwise.stop.requests", "Stop requests journaled", "mode", e.mode().name());
      return null;
    }

    @Override
    public Void executionEnded(ExecutionEntity.Terminal e) {
      return ended(after, job, e);
    }

    @Override
    public Void stopEscalated(ExecutionEntity.StopEscalated e) {
      count("stepwise.stop.escalations", "Graceful stops that turned into kills", "cause",
          ExecutionEntity.ENGINE.equals(e.requestedBy()) ? "grace_expired" : "force_stop");
      return null;
    }

  }

  private Void ended(Execution after, String job, ExecutionEntity.Terminal terminal) {
    Counter.builder("stepwise.executions.finished")
        .description("Executions that ended, by terminal status")
        .tags("job", job, "status", terminal.status().name())
        .register(registry).increment();
    if (terminal instanceof ExecutionEntity.ExecutionCancelled && after.cancellation() != null) {
      Timer.builder("stepwise.stop.to.cancelled")
          .description("From a stop request to the execution's Cancelled, by final stop mode")
          .tags("mode", after.cancellation().mode().name())
          .serviceLevelObjectives(STOP_BUCKETS)
          .register(registry)
          .record(nonNegative(after.cancellation().requestedAt(), terminal.at()));
    }
    return null;
  }

  private Void stepEnded(Execution before, Execution after, int index, int attempt, Instant end,
      String outcome) {
    Instant start = ExecutionObserver.attemptStart(before, index, attempt);
    if (start == null) {
      return null;
    }
    Timer.builder("stepwise.step.duration")
        .description("How long step attempts ran, by step type and outcome")
        .tags("type", after.steps().get(index).type(), "outcome", outcome)
        .serviceLevelObjectives(STEP_BUCKETS)
        .register(registry)
        .record(nonNegative(start, end));
    return null;
  }

  private Void retry(Execution after, int index) {
    count("stepwise.step.retries", "Step attempts started again after a failure", "type",
        after.steps().get(index).type());
    return null;
  }

  private static boolean failedInSameWrite(List<Event> events, int index) {
    return events.stream().anyMatch(event ->
        event instanceof ExecutionEntity.StepFailed failed && failed.index() == index);
  }

  private void count(String name, String description, String tag, String value) {
    Counter.builder(name).description(description).tags(tag, value).register(registry)
        .increment();
  }

  private static Duration nonNegative(Instant from, Instant to) {
    Duration between = Duration.between(from, to);
    return between.isNegative() ? Duration.ZERO : between;
  }

  private static Duration[] durations(long... millis) {
    Duration[] durations = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      durations[i] = Duration.ofMillis(millis[i]);
    }
    return durations;
  }
}
