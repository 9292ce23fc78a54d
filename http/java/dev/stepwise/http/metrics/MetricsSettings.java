package dev.stepwise.http.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code stepwise.metrics} settings, read once.
 *
 * @param requireToken whether {@code GET /metrics} needs a bearer token with the viewer role
 * @param readSideRefresh how old the cluster-wide gauges read from the read side may get
 * @param maxJobLabels how many distinct jobs get a label of their own; later ones share one
 */
public record MetricsSettings(
    boolean requireToken, Duration readSideRefresh, int maxJobLabels) {

  public static MetricsSettings from(Config config) {
    Config metrics = config.getConfig("stepwise.metrics");
    return new MetricsSettings(
        metrics.getBoolean("require-token"),
        metrics.getDuration("read-side-refresh"),
        metrics.getInt("max-job-labels"));
  }
}
