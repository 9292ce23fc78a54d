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
              label, dispatcher, ForkJoinPool::getPoolSize, ThreadPoolExecutor::getPoolSize);
          gauge(registry, "stepwise.dispatcher.threads.active",
              "Threads of the dispatcher running a task", label, dispatcher,
              ForkJoinPool::getActiveThreadCount, ThreadPoolExecutor::getActiveCount);
          gauge(registry, "stepwise.dispatcher.threads.max",
              "Most threads (or the parallelism) of the dispatcher's pool", label, dispatcher,
              ForkJoinPool::getParallelism, ThreadPoolExecutor::getMaximumPoolSize);
          gauge(registry, "stepwise.dispatcher.queued.tasks",
              "Tasks waiting for a thread of the dispatcher", label, dispatcher,
              pool -> pool.getQueuedSubmissionCount() + pool.getQueuedTaskCount(),
              pool -> pool.getQueue().size());
        } else {
          LOG.warn("dispatcher {} is a {}, not a thread pool dispatcher: no gauges for it",
              path, found.getClass().getName());
        }
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("no gauges for dispatcher {}: {}", path, e.toString());
      }
    });
  }

  /** A gauge read from the dispatcher's pool, whichever of the two kinds it is; else NaN. */
  private static void gauge(MeterRegistry registry, String name, String description,
      String label, Dispatcher dispatcher, ToDoubleFunction<ForkJoinPool> forkJoin,
      ToDoubleFunction<ThreadPoolExecutor> threads) {
    Gauge.builder(name, dispatcher, d -> read(d, forkJoin, threads))
        .description(description)
        .tag("dispatcher", label)
        .register(registry);
  }

  private static double read(Dispatcher dispatcher, ToDoubleFunction<ForkJoinPool> forkJoin,
      ToDoubleFunction<ThreadPoolExecutor> threads) {
    try {
      ExecutorService pool = dispatcher.executorService().executor();
      if (pool instanceof ForkJoinPool forkJoinPool) {
        return forkJoin.applyAsDouble(forkJoinPool);
      }
      return pool instanceof ThreadPoolExecutor threadPool ? threads.applyAsDouble(threadPool)
          : Double.NaN;
    } catch (RuntimeException | LinkageError e) {
      return Double.NaN;
    }
  }
}
