package dev.stepwise.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Binds the API on the configured address and unbinds it gracefully when the node shuts down:
 * no new connections, open requests get {@link #DRAIN} to finish.
 */
public final class HttpServer {

  static final Duration DRAIN = Duration.ofSeconds(10);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, HttpSettings settings,
      Route route) {
    return Http.get(system).newServerAt(settings.host(), settings.port()).bind(route)
        .whenComplete((binding, failure) -> {
          if (binding != null) {
            binding.addToCoordinatedShutdown(DRAIN, system);
            system.log().info("HTTP API listening on http://{}:{}",
                binding.localAddress().getHostString(), binding.localAddress().getPort());
          } else {
            system.log().error("HTTP API could not bind {}:{}: {}", settings.host(),
                settings.port(), failure.getMessage());
          }
        });
  }
}
