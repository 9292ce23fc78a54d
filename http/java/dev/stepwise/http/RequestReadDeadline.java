package dev.stepwise.http;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's deadline for receiving a request: from the request's first byte to the end
 * of its body. A client that has not sent the whole request by then loses the connection. It
 * also closes the connection, once its last answer is out, when the node stops or the client
 * has closed its side.
 *
 * <p>Pekko HTTP's own timeouts do not bound a slow-loris client: the idle timeout starts again
 * with every byte, and the request timeout starts only once the whole request has arrived, so a
 * client trickling a byte now and then holds its connection for as long as it likes. This guard
 * sits between TCP and the HTTP parser ({@link #bytes()}), where it sees a request begin, and
 * learns from the parsed requests and the route's responses ({@link #received},
 * {@link #responded}) where it ends and when the next one may begin.
 */
final class RequestReadDeadline {

  private static final Logger LOG = LoggerFactory.getLogger(RequestReadDeadline.class);

  /**
   * How long the output of a connection that is to close (the node stops, or the client has
   * gone) must have been quiet before it is closed, so that an answer is not cut off.
   */
  static final Duration QUIET = Duration.ofMillis(50);

  /** The connection was closed because a request did not arrive in time. */
  static final class TooSlow extends RuntimeException {
    TooSlow(String message) {
      super(message, null, false, false);
    }
  }

  private enum Signal {
    /** A request arrived whole: head and body. */
    REQUEST_RECEIVED,
    /** A request's head arrived; its body is still coming. */
    HEAD_RECEIVED,
    /** The body of the request in progress ended (read, cancelled or failed). */
    BODY_RECEIVED,
    /** The route answered the request in progress. */
    RESPONDED,
    /** The node stops: close once no request is in progress. */
    DRAIN,
    /** The node stops now. */
    ABORT
  }

  private enum Phase { IDLE, RECEIVING_HEAD, RECEIVING_BODY, RECEIVING_ANSWERED_BODY, HANDLING }

  private final Duration timeout;
  private final String peer;
  private final AtomicReference<AsyncCallback<Signal>> signals = new AtomicReference<>();
  private volatile Signal early;

  RequestReadDeadline(Duration timeout, String peer) {
    this.timeout = timeout;
    this.peer = peer;
  }

  /** The byte-level part: outbound bytes on top, inbound below. */
  BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> bytes() {
    return BidiFlow.fromGraph(new Stage());
  }

  /** Tells the guard a parsed request arrived; watches its body's end when it still streams. */
  HttpRequest received(HttpRequest request) {
    RequestEntity entity = request.entity();
    if (entity.isStrict() || entity.isKnownEmpty()) {
      signal(Signal.REQUEST_RECEIVED);
      return request;
    }
    signal(Signal.HEAD_RECEIVED);
    Source<ByteString, Object> body = entity.getDataBytes().watchTermination(this::bodyUntil);
    OptionalLong length = entity.getContentLengthOption();
    return request.withEntity(length.isPresent()
        ? HttpEntities.create(entity.getContentType(), length.getAsLong(), body)
        : HttpEntities.createChunked(entity.getContentType(), body));
  }

  /** The body's end, however it ends, ends its reading. */
  private <M> M bodyUntil(M materialized, CompletionStage<Done> done) {
    done.whenComplete((ok, failure) -> signal(Signal.BODY_RECEIVED));
    return materialized;
  }

  HttpResponse responded(HttpResponse response) {
    signal(Signal.RESPONDED);
    return response;
  }

  void drain() {
    signal(Signal.DRAIN);
  }

  void abort() {
    signal(Signal.ABORT);
  }

  private void signal(Signal signal) {
    AsyncCallback<Signal> callback = signals.get();
    if (callback != null) {
      callback.invoke(signal);
    } else if (signal == Signal.DRAIN || signal == Signal.ABORT) {
      early = signal;
    }
  }

  private final class Stage
      extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {

    private final Inlet<ByteString> fromServer = Inlet.create("RequestReadDeadline.fromServer");
    private final Outlet<ByteString> toNetwork = Outlet.create("RequestReadDeadline.toNetwork");
    private final Inlet<ByteString> fromNetwork = Inlet.create("RequestReadDeadline.fromNetwork");
    private final Outlet<ByteString> toServer = Outlet.create("RequestReadDeadline.toServer");
    private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
        BidiShape.of(fromServer, toNetwork, fromNetwork, toServer);

    @Override
    public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new Logic();
    }

    private final class Logic extends TimerGraphStageLogic {
      private static final String DEADLINE = "deadline";
      private static final String QUIET_CHECK = "quiet";

      private Phase phase = Phase.IDLE;
      /** The node stops: close once no request is in progress. */
      private boolean draining;
      /** The client closed its side: close once its last answer is out. */
      private boolean clientGone;
      private long lastOutbound = System.nanoTime();

      Logic() {
        super(shape);
        setHandler(fromServer, new AbstractInHandler() {
          @Override
          public void onPush() {
            lastOutbound = System.nanoTime();
            push(toNetwork, grab(fromServer));
          }

          @Override
          public void onUpstreamFinish() {
            complete(toNetwork);
          }

          @Override
          public void onUpstreamFailure(Throwable failure) {
            fail(toNetwork, failure);
          }
        });
        setHandler(toNetwork, demandTo(fromServer));
        setHandler(fromNetwork, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(fromNetwork);
            if (phase == Phase.IDLE && !bytes.isEmpty()) {
              phase = Phase.RECEIVING_HEAD;
              scheduleOnce(DEADLINE, timeout);
            }
            push(toServer, bytes);
          }

          @Override
          public void onUpstreamFinish() {
            // Pekko would answer the request in progress and then close, but an event stream
            // never ends, and its slot would be held until a heartbeat failed to reach the client
            clientGone = true;
            complete(toServer);
            closeWhenQuiet();
          }

          @Override
          public void onUpstreamFailure(Throwable failure) {
            fail(toServer, failure);
          }
        });
        setHandler(toServer, demandTo(fromNetwork));
      }

      /** Passes an outlet's demand, and its cancellation, on to the inlet that feeds it. */
      private AbstractOutHandler demandTo(Inlet<ByteString> feeding) {
        return new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(feeding);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(feeding, cause);
          }
        };
      }

      @Override
      public void preStart() {
        signals.set(createAsyncCallback(this::onSignal));
        if (early != null) {
          onSignal(early);
        }
      }

      private void onSignal(Signal signal) {
        switch (signal) {
          case REQUEST_RECEIVED -> {
            cancelTimer(DEADLINE);
            phase = Phase.HANDLING;
          }
          case HEAD_RECEIVED -> {
            // the deadline keeps counting from the request's first byte
            if (!isTimerActive(DEADLINE)) {
              scheduleOnce(DEADLINE, timeout);
            }
            phase = Phase.RECEIVING_BODY;
          }
          case BODY_RECEIVED -> {
            if (phase == Phase.RECEIVING_BODY || phase == Phase.RECEIVING_ANSWERED_BODY) {
              cancelTimer(DEADLINE);
              phase = phase == Phase.RECEIVING_BODY ? Phase.HANDLING : Phase.IDLE;
            }
          }
          case RESPONDED -> {
            if (phase == Phase.HANDLING) {
              phase = Phase.IDLE;
            } else if (phase == Phase.RECEIVING_BODY) {
              phase = Phase.RECEIVING_ANSWERED_BODY;
            }
          }
          case DRAIN -> {
            draining = true;
            closeWhenQuiet();
          }
          case ABORT -> failStage(new IllegalStateException("the node is stopping"));
          default -> throw new IllegalStateException(signal.name());
        }
      }

      @Override
      public void onTimer(Object key) {
        if (DEADLINE.equals(key) && phase != Phase.IDLE && phase != Phase.HANDLING) {
          LOG.info("closed the connection of {}: a request was not received within {} ms of"
              + " its first byte", peer, timeout.toMillis());
          failStage(new TooSlow("a request was not received within " + timeout));
        } else if (QUIET_CHECK.equals(key) && (draining || clientGone) && phase == Phase.IDLE
            && System.nanoTime() - lastOutbound >= QUIET.toNanos()) {
          completeStage();
        }
      }

      private void closeWhenQuiet() {
        if (!isTimerActive(QUIET_CHECK)) {
          scheduleWithFixedDelay(QUIET_CHECK, QUIET, QUIET);
        }
      }
    }
  }
}
