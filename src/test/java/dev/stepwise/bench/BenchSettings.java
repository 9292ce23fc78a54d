package dev.stepwise.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sizes of a benchmark run, read from {@code bench.*} system properties. {@code bench.scale}
 * shrinks every count at once (0.1 for a quick look); the defaults are the sizes.
 *
 * @param concurrency runs kept in flight by the throughput phases, ascending; the last is the
 *     level the target applies to and the level of the "under load" stops
 * @param httpRequests start requests a throughput driver keeps open at once (its connections)
 * @param overHttp whether the throughput phase drives the levels over HTTP; with
 *     {@code bench.driver=facade} it only runs the Executions facade at the peak level
 * @param phases the phases to run ({@code bench.phases}, default all)
 * @param diagnose whether to sample the database's activity in throughput windows
 * @param nodeSettings configuration set on the benchmarked nodes over application.conf
 *     ({@code -Dbench.node.KEY=VALUE}), for experiments
 * @param postgresSettings PostgreSQL server settings ({@code -Dbench.pg.NAME=VALUE}), for
 *     profiling; the durable ones cannot be changed
 * @param recoveryExecutions executions in flight when the recovery phase kills its node
 *     ({@code bench.recovery}, scaled)
 * @param recoveryNodeOptions more options for the recovery phase's node JVM
 *     ({@code -Dbench.recovery.jvm="-XX:StartFlightRecording=filename=node.jfr,settings=profile"},
 *     split at spaces), for profiling the node rather than the benchmark
 */
record BenchSettings(
    int rounds,
    double scale,
    Duration warmup,
    Duration window,
    int[] concurrency,
    int stops,
    int heldExecutions,
    int listRowsSmall,
    int listRowsLarge,
    int queries,
    int httpRequests,
    boolean overHttp,
    Set<String> phases,
    boolean diagnose,
    Map<String, Object> nodeSettings,
    Map<String, String> postgresSettings,
    int recoveryExecutions,
    List<String> recoveryNodeOptions) {

  /** Every phase, in the order they run; {@code bench.phases} picks some for a quick look. */
  static final List<String> PHASES = List.of(
      "throughput", "peers", "ceiling", "stops", "graceful", "sse", "held", "list", "norem", "h2",
      "recovery");

  static BenchSettings from(Properties p) {
    double scale = Double.parseDouble(p.getProperty("bench.scale", "1"));
    int[] levels = Arrays.stream(p.getProperty("bench.concurrency", "1,100,1000").split(","))
        .map(String::strip).mapToInt(Integer::parseInt).sorted().toArray();
    return new BenchSettings(
        Integer.parseInt(p.getProperty("bench.rounds", "3")),
        scale,
        seconds(p.getProperty("bench.warmup", "3")),
        seconds(p.getProperty("bench.seconds", "10")),
        levels,
        scaled(200, scale, 5),
        scaled(10_000, scale, 10),
        scaled(100_000, scale, 100),
        scaled(1_000_000, scale, 1_000),
        scaled(200, scale, 10),
        Integer.parseInt(p.getProperty("bench.http-requests", "128")),
        !"facade".equals(p.getProperty("bench.driver", "http")),
        phases(p.getProperty("bench.phases", "all")),
        Boolean.parseBoolean(p.getProperty("bench.diagnose", "false")),
        Map.copyOf(prefixed(p, "bench.node.")),
        prefixed(p, "bench.pg."),
        scaled(Integer.parseInt(p.getProperty("bench.recovery", "10000")), scale, 40),
        Arrays.stream(p.getProperty("bench.recovery.jvm", "").strip().split("\\s+"))
            .filter(option -> !option.isEmpty()).toList());
  }

  /** The properties named {@code prefix + KEY}, keyed by KEY. */
  private static Map<String, String> prefixed(Properties p, String prefix) {
    Map<String, String> settings = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith(prefix)) {
        settings.put(name.substring(prefix.length()), p.getProperty(name));
      }
    }
    return Map.copyOf(settings);
  }

  boolean runs(String phase) {
    return phases.contains(phase);
  }

  private static Set<String> phases(String value) {
    if (value.strip().equals("all")) {
      return Set.copyOf(PHASES);
    }
    Set<String> chosen = Set.of(value.split("\\s*,\\s*"));
    for (String phase : chosen) {
      if (!PHASES.contains(phase)) {
        throw new IllegalArgumentException("bench.phases: unknown phase '" + phase + "'; phases: "
            + PHASES);
      }
    }
    return chosen;
  }

  int peakConcurrency() {
    return concurrency[concurrency.length - 1];
  }

  private static int scaled(int full, double scale, int min) {
    return Math.max(min, (int) Math.round(full * scale));
  }

  private static Duration seconds(String value) {
    return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
  }

  @Override
  public String toString() {
    return "rounds " + rounds + ", scale " + scale + ", warm-up " + warmup.toMillis() / 1000.0
        + " s, window " + window.toMillis() / 1000.0 + " s, in flight "
        + Arrays.toString(concurrency) + ", " + stops + " stops, " + heldExecutions
        + " held executions, " + listRowsSmall + "/" + listRowsLarge + " summaries, " + queries
        + " queries per list, " + recoveryExecutions + " executions in recovery"
        + (phases.size() == PHASES.size() ? "" : ", phases " + phases)
        + (nodeSettings.isEmpty() ? "" : "; node settings changed: " + nodeSettings)
        + (postgresSettings.isEmpty() ? "" : "; PostgreSQL settings added: " + postgresSettings);
  }
}
