package dev.stepwise.http.metrics;

import dev.stepwise.engine.execution.ExecutionObserver;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The metrics of one node, in Prometheus' text format: what its executions journal (through the
 * engine's {@link ExecutionObserver} port), cluster-wide counts from the read side, open event
 * streams, the JVM, and the Pekko dispatchers. Each node has its own registry, so that several
 * nodes in one JVM (as in tests) do not mix their numbers.
 */
public final class NodeMetrics {

  /** What {@link #scrape} returns: Prometheus' text exposition format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final MetricsSettings settings;
  private final ExecutionMetrics executions;
  private final OpenStreams streams = new OpenStreams();
  private volatile ReadSideGauges readSide;

  private NodeMetrics(PrometheusMeterRegistry registry, MetricsSettings settings) {
    this.registry = registry;
    this.settings = settings;
    this.executions = new ExecutionMetrics(registry, new JobLabels(settings.maxJobLabels()));
    Gauge.builder("stepwise.sse.clients", streams, OpenStreams::count)
        .description("Event streams (Server-Sent Events) this node serves now")
        .register(registry);
  }

  /** The registry with the JVM's and the dispatchers' meters; closed when the node stops. */
  public static NodeMetrics start(ActorSystem<?> system, MetricsSettings settings) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    NodeMetrics metrics = new NodeMetrics(registry, settings);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Map<String, String> dispatchers = new LinkedHashMap<>();
    dispatchers.put("default", "pekko.actor.default-dispatcher");
    dispatchers.put("internal", "pekko.actor.internal-dispatcher");
    dispatchers.put("step", StepTypes.STEP_DISPATCHER);
    dispatchers.put("read-side", "stepwise.read-side.dispatcher");
    DispatcherGauges.register(registry, system, dispatchers);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-metrics", () -> {
          gc.close();
          registry.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return metrics;
  }

  public MetricsSettings settings() {
    return settings;
  }

  /** What the execution entities of this node report to. */
  public ExecutionObserver executions() {
    return executions;
  }

  public OpenStreams streams() {
    return streams;
  }

  /** Adds the cluster-wide gauges read from {@code summaries}, once the read side runs. */
  public void watch(ExecutionSummaries summaries) {
    readSide = new ReadSideGauges(summaries, settings.readSideRefresh(), registry);
  }

  /** The text a scrape gets, with the read side's numbers no older than the refresh interval. */
  public CompletionStage<String> scrape(Executor executor) {
    ReadSideGauges gauges = readSide;
    CompletableFuture<Void> ready = gauges == null
        ? CompletableFuture.completedFuture(null) : gauges.fresh();
    return ready.thenApplyAsync(done -> registry.scrape(), executor);
  }
}
