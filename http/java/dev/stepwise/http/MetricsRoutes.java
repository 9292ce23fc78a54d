package dev.stepwise.http;

import dev.stepwise.http.metrics.NodeMetrics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's metrics in Prometheus' text format. Open by default, as
 * Prometheus scrapes usually are (the bind address decides who reaches it); with
 * {@code stepwise.metrics.require-token} it needs a viewer's bearer token.
 */
public final class MetricsRoutes extends AllDirectives {

  private static final ContentType PROMETHEUS_TEXT = ContentTypes.parse(NodeMetrics.CONTENT_TYPE);

  private final NodeMetrics metrics;
  private final AuthDirectives auth;
  private final Executor executor;

  public MetricsRoutes(NodeMetrics metrics, AuthDirectives auth, Executor executor) {
    this.metrics = metrics;
    this.auth = auth;
    this.executor = executor;
  }

  public Route route() {
    return path("metrics", () -> get(() -> metrics.settings().requireToken()
        ? auth.authorized(Role.viewer, caller -> scrape())
        : scrape()));
  }

  private Route scrape() {
    return completeWithFuture(metrics.scrape(executor).thenApplyAsync(text ->
        HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT,
            text.getBytes(StandardCharsets.UTF_8))), executor));
  }
}
