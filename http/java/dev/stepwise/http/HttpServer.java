package dev.stepwise.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Binds the API on the configured address and unbinds it gracefully when the node shuts down:
 * no new connections, open requests get {@link #DRAIN} to finish, idle connections close at once.
 *
 * <p>It assembles each connection from Pekko HTTP's own server layer (parsing, rendering,
 * request timeout, header and size limits) rather than calling {@code Http.newServerAt().bind},
 * so that a {@link RequestReadDeadline} can sit between TCP and the parser: that is the one
 * place where a slowly trickled request can be seen and cut off.
 */
public final class HttpServer {

  static final Duration DRAIN = Duration.ofSeconds(10);

  /** Where the API listens. */
  public record Binding(InetSocketAddress localAddress) {}

  private final ActorSystem<?> system;
  private final HttpSettings settings;
  private final ServerSettings server;
  private final LoggingAdapter log;
  private final Flow<HttpRequest, HttpResponse, NotUsed> handler;
  private final Set<RequestReadDeadline> open = ConcurrentHashMap.newKeySet();

  private HttpServer(ActorSystem<?> system, HttpSettings settings, Route route) {
    this.system = system;
    this.settings = settings;
    this.server = ServerSettings.create(system.classicSystem());
    this.log = Logging.getLogger(system.classicSystem(), HttpServer.class);
    this.handler = route.flow(system);
  }

  public static CompletionStage<Binding> start(ActorSystem<?> system, HttpSettings settings,
      Route route) {
    return new HttpServer(system, settings, route).bind();
  }

  private CompletionStage<Binding> bind() {
    CompletionStage<Tcp.ServerBinding> bound = Tcp.get(system)
        .bind(settings.host(), settings.port(), server.getBacklog(), server.getSocketOptions(),
            false, Optional.empty())
        // past max-connections new connections wait in the operating system's backlog
        .mapAsyncUnordered(server.getMaxConnections(), this::serve)
        .to(Sink.ignore())
        .run(system);
    return bound.thenApply(this::bound).whenComplete(this::logFailure);
  }

  /** Registers the unbind and the drain with the node's shutdown. */
  private Binding bound(Tcp.ServerBinding binding) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "http-api-unbind",
        () -> binding.unbind().thenApply(unbound -> Done.getInstance()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "http-api-drain",
        () -> drain(drainDeadline(shutdown)));
    system.log().info("HTTP API listening on http://{}:{}",
        binding.localAddress().getHostString(), binding.localAddress().getPort());
    return new Binding(binding.localAddress());
  }

  private void logFailure(Binding binding, Throwable failure) {
    if (failure != null) {
      system.log().error("HTTP API could not bind {}:{}: {}", settings.host(), settings.port(),
          failure.getMessage());
    }
  }

  /** Runs one connection; completes (never fails) when it has closed. */
  private CompletionStage<Done> serve(Tcp.IncomingConnection incoming) {
    RequestReadDeadline deadline = new RequestReadDeadline(settings.requestReadTimeout(),
        incoming.remoteAddress().toString());
    open.add(deadline);
    Flow<ByteString, ByteString, CompletionStage<Done>> connection =
        Flow.of(HttpRequest.class).map(deadline::received).via(handler).map(deadline::responded)
            .join(Http.get(system).serverLayer(server, Optional.of(incoming.remoteAddress()), log)
                .atop(plainText())
                .atop(idleTimeout())
                .atop(deadline.bytes()))
            .watchTermination((notUsed, done) -> done);
    try {
      return incoming.handleWith(connection, system)
          .handle((done, failure) -> closed(deadline));
    } catch (RuntimeException e) {
      open.remove(deadline);
      log.warning("could not serve a connection from {}: {}", incoming.remoteAddress(),
          e.getMessage());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }

  private Done closed(RequestReadDeadline connection) {
    open.remove(connection);
    return Done.getInstance();
  }

  /** The TLS layer's place in the stack, for a node that speaks plain HTTP. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed>
      plainText() {
    // SessionBytes is the SslTlsInbound the placebo makes; Java's generics cannot widen it
    return (BidiFlow) TLSPlacebo.getInstance();
  }

  /** Pekko's idle timeout, which Http.newServerAt().bind would add itself. */
  private BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> idleTimeout() {
    scala.concurrent.duration.Duration idle = server.getTimeouts().idleTimeout();
    return idle.isFinite() ? BidiFlow.bidirectionalIdleTimeout(Duration.ofNanos(idle.toNanos()))
        : BidiFlow.identity();
  }

  /** Within the shutdown phase's own timeout, so that the phase never times out waiting. */
  private static Duration drainDeadline(CoordinatedShutdown shutdown) {
    Duration phase = Duration.ofNanos(
        shutdown.timeout(CoordinatedShutdown.PhaseServiceRequestsDone()).toNanos());
    Duration withinPhase = phase.minusMillis(500);
    return withinPhase.compareTo(DRAIN) < 0 && !withinPhase.isNegative() ? withinPhase : DRAIN;
  }

  /**
   * Idle connections close now, the others once their request is answered; whatever is still
   * open at the deadline is closed anyway.
   */
  private CompletionStage<Done> drain(Duration within) {
    open.forEach(RequestReadDeadline::drain);
    CompletableFuture<Done> drained = new CompletableFuture<>();
    long deadline = System.nanoTime() + within.toNanos();
    var check = system.scheduler().scheduleAtFixedRate(RequestReadDeadline.QUIET,
        RequestReadDeadline.QUIET, () -> drainedBy(deadline, drained),
        system.executionContext());
    return drained.whenComplete((done, failure) -> check.cancel());
  }

  private void drainedBy(long deadline, CompletableFuture<Done> drained) {
    if (!open.isEmpty() && System.nanoTime() > deadline) {
      open.forEach(RequestReadDeadline::abort);
    }
    if (open.isEmpty() || System.nanoTime() > deadline) {
      drained.complete(Done.getInstance());
    }
  }
}
