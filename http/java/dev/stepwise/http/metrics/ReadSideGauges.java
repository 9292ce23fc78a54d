package dev.stepwise.http.metrics;

import dev.stepwise.engine.execution.Status;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide gauges read from the read side: executions Pending, Running and Cancelling, the
 * dead-letter queue, and how far the summaries lag the journal. Counting from the read side
 * rather than on each node stays right across passivation, restarts and shard moves; the price
 * is the projection's lag, which is shown beside them. They are read when a scrape asks and at
 * most once per refresh interval, so an idle node costs its database nothing. Every node shows
 * the same numbers: aggregate them across nodes with max, not sum.
 */
final class ReadSideGauges {

  private static final Logger LOG = LoggerFactory.getLogger(ReadSideGauges.class);

  private static final List<String> COUNTED = List.of(Status.Pending.name(),
      Status.Running.name(), Status.Cancelling.name(), Status.DeadLetter.name());
  /** A scrape waits this long for fresh numbers, then shows the ones it has. */
  private static final Duration WAIT = Duration.ofSeconds(3);

  private final ExecutionSummaries summaries;
  private final Duration refresh;
  private final Map<String, Double> counts = new ConcurrentHashMap<>();
  private volatile double lagEvents = Double.NaN;
  private volatile double lagMillis = Double.NaN;
  private long refreshedAt = Long.MIN_VALUE;
  private CompletableFuture<Void> reading;
  private boolean failing;

  ReadSideGauges(ExecutionSummaries summaries, Duration refresh, MeterRegistry registry) {
    this.summaries = summaries;
    this.refresh = refresh;
    for (String status : COUNTED) {
      counts.put(status, Double.NaN);
    }
    for (String status : List.of("Pending", "Running", "Cancelling")) {
      Gauge.builder("stepwise.executions.active", counts, c -> c.get(status))
          .description("Executions in this status, cluster-wide, as the read side knows them")
          .tag("status", status)
          .register(registry);
    }
    Gauge.builder("stepwise.dead.letters", counts, c -> c.get(Status.DeadLetter.name()))
        .description("Executions in the dead-letter queue, cluster-wide")
        .register(registry);
    Gauge.builder("stepwise.projection.lag.events", this, gauges -> gauges.lagEvents)
        .description("Executions' events journaled but not yet in the read side (counted up to "
            + ExecutionSummaries.MAX_COUNTED_LAG + ")")
        .register(registry);
    TimeGauge.builder("stepwise.projection.lag", this, TimeUnit.MILLISECONDS,
            gauges -> gauges.lagMillis)
        .description("Age of the oldest event not yet in the read side; 0 when it is current")
        .register(registry);
  }

  /** Completes once the numbers are at most one refresh interval old, or after a short wait. */
  CompletableFuture<Void> fresh() {
    CompletableFuture<Void> current;
    synchronized (this) {
      if (reading != null && reading.isDone()) {
        reading = null;
      }
      long now = System.nanoTime();
      if (reading == null && refreshedAt != Long.MIN_VALUE
          && now - refreshedAt < refresh.toNanos()) {
        return CompletableFuture.completedFuture(null);
      }
      if (reading == null) {
        reading = read();
      }
      current = reading;
    }
    return current.copy().completeOnTimeout(null, WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private CompletableFuture<Void> read() {
    return summaries.countByStatus(COUNTED).toCompletableFuture()
        .thenCombine(summaries.lag(), (found, lag) -> {
          found.forEach((status, count) -> counts.put(status, count.doubleValue()));
          lagEvents = lag.events();
          lagMillis = lag.oldestUnread().toMillis();
          return true;
        })
        .exceptionally(failure -> {
          // unknown, not stale: an alert must not read an old count as the current one
          counts.replaceAll((status, count) -> Double.NaN);
          lagEvents = Double.NaN;
          lagMillis = Double.NaN;
          return false;
        })
        .thenAccept(this::finished);
  }

  private synchronized void finished(boolean succeeded) {
    if (!succeeded && !failing) {
      LOG.warn("the read side does not answer; its gauges show NaN until it does");
    } else if (succeeded && failing) {
      LOG.info("the read side answers again");
    }
    failing = !succeeded;
    refreshedAt = System.nanoTime();
    reading = null;
  }
}
