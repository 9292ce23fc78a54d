package dev.stepwise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The benchmark at toy sizes, so that it keeps working: every row of the table gets a figure,
 * and the database it measured was durable. Says nothing about speed; the numbers are noise.
 */
class BenchmarkSmokeIT {

  @Test
  void printsEveryRowOfTheTableWithAFigure() throws Exception {
    Properties sizes = new Properties();
    sizes.setProperty("bench.rounds", "1");
    sizes.setProperty("bench.scale", "0.002");
    sizes.setProperty("bench.warmup", "0.5");
    sizes.setProperty("bench.seconds", "1");
    sizes.setProperty("bench.concurrency", "1,4");
    sizes.setProperty("bench.http-requests", "4");
    // the recovery phase starts a node JVM twice per database: start it quickly
    sizes.setProperty("bench.recovery.jvm", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Benchmark benchmark = new Benchmark(BenchSettings.from(sizes),
        new Progress(new PrintStream(progress, true, StandardCharsets.UTF_8)));

    String table = benchmark.run();

    List<String> lines = Arrays.asList(table.split("\n"));
    List<String> keys = benchmark.table().keys();
    assertThat(keys).hasSizeGreaterThan(40);
    for (String key : keys) {
      assertThat(lines).as("row %s", key)
          .anySatisfy(line -> assertThat(line).startsWith(key + " ").doesNotContain("n/a"));
    }
    assertThat(table).contains("SHOW says fsync=on, synchronous_commit=on")
        .contains("runs/s").contains("≤ 25 ms");
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("round 1/1: raw ceiling")
        .contains("recovery: 40 executions in their sleep step; kill -9");
  }
}
