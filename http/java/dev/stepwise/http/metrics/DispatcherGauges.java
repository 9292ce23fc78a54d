package dev.stepwise.http.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.dispatch.Dispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread pool gauges of the node's Pekko dispatchers: threads, active threads, the most threads,
 * and queued tasks. Pekko has no public API for these; its {@code Dispatcher.executorService()}
 * (internal, but public in the bytecode) gives the pool. It is read anew on every scrape, because
 * a dispatcher replaces its pool after an idle shutdown. Should a Pekko upgrade take it away,
 * the gauges are skipped with a warning and the node runs on.
 */
final class DispatcherGauges {

  private static final Logger LOG = LoggerFactory.getLogger(DispatcherGauges.class);

  private DispatcherGauges() {}

  /** {@code dispatchers}: label → configuration path of the dispatcher. */
  static void register(MeterRegistry registry, ActorSystem<?> system,
      Map<String, String> dispatchers) {
    dispatchers.forEach((label, path) -> {
      try {
        Object found = system.dispatchers().lookup(DispatcherSelector.fromConfig(path));
        if (found instanceof Dispatcher dispatcher) {
          gauge(registry, "stepwise.dispatcher.threads", "Threads in the dispatcher's pool",
              label, dispatcher, DispatcherGauges::threads);
          gauge(registry, "stepwise.dispatcher.threads.active",
              "Threads of the dispatcher running a task", label, dispatcher,
              DispatcherGauges::active);
          gauge(registry, "stepwise.dispatcher.threads.max",
              "Most threads (or the parallelism) of the dispatcher's pool", label, dispatcher,
              DispatcherGauges::max);
          gauge(registry, "stepwise.dispatcher.queued.tasks",
              "Tasks waiting for a thread of the dispatcher", label, dispatcher,
              DispatcherGauges::queued);
        } else {
          LOG.warn("dispatcher {} is a {}, not a thread pool dispatcher: no gauges for it",
              path, found.getClass().getName());
        }
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("no gauges for dispatcher {}: {}", path, e.toString());
      }
    });
  }

  private static void gauge(MeterRegistry registry, String name, String description,
      String label, Dispatcher dispatcher, ToDoubleFunction<ExecutorService> value) {
    Gauge.builder(name, dispatcher, d -> read(d, value))
        .description(description)
        .tag("dispatcher", label)
        .register(registry);
  }

  private static double read(Dispatcher dispatcher, ToDoubleFunction<ExecutorService> value) {
    try {
      return value.applyAsDouble(dispatcher.executorService().executor());
    } catch (RuntimeException | LinkageError e) {
      return Double.NaN;
    }
  }

  private static double threads(ExecutorService pool) {
    if (pool instanceof ForkJoinPool forkJoin) {
      return forkJoin.getPoolSize();
    }
    return pool instanceof ThreadPoolExecutor threads ? threads.getPoolSize() : Double.NaN;
  }

  private static double active(ExecutorService pool) {
    if (pool instanceof ForkJoinPool forkJoin) {
      return forkJoin.getActiveThreadCount();
    }
    return pool instanceof ThreadPoolExecutor threads ? threads.getActiveCount() : Double.NaN;
  }

  private static double max(ExecutorService pool) {
    if (pool instanceof ForkJoinPool forkJoin) {
      return forkJoin.getParallelism();
    }
    return pool instanceof ThreadPoolExecutor threads ? threads.getMaximumPoolSize() : Double.NaN;
  }

  private static double queued(ExecutorService pool) {
    if (pool instanceof ForkJoinPool forkJoin) {
      return forkJoin.getQueuedSubmissionCount() + forkJoin.getQueuedTaskCount();
    }
    return pool instanceof ThreadPoolExecutor threads ? threads.getQueue().size() : Double.NaN;
  }
}
