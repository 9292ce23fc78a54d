package dev.stepwise.bench;

import java.util.Arrays;

/** Latencies of one measurement, kept in nanoseconds and read as percentiles in milliseconds. */
final class Samples {

  private long[] values = new long[64];
  private int size;

  synchronized void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  synchronized int count() {
    return size;
  }

  /** Nearest-rank percentile, {@code p} in [0, 100]; NaN when there are no samples. */
  synchronized double percentileMillis(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
  }

  double p50() {
    return percentileMillis(50);
  }

  double p99() {
    return percentileMillis(99);
  }

  double max() {
    return percentileMillis(100);
  }
}
