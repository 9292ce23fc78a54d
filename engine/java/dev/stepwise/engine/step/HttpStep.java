package dev.stepwise.engine.step;

import dev.stepwise.engine.job.StepDefinition;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ConnectHttp;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Runs an {@code http} step over a connection of its own. Stopping the actor aborts that
 * connection, so the server sees the request dropped rather than abandoned.
 */
final class HttpStep {

  private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{3})(?:-(\\d{3}))?");

  private record Responded(int status, String body) implements StepMessage {}

  private record Broke(String error) implements StepMessage {}

  private HttpStep() {}

  static Behavior<StepMessage> create(StepAttempt attempt, StepDefinition.Http step) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Materializer materializer = Materializer.matFromSystem(context.getSystem());
      URI uri = URI.create(step.url());
      Pair<UniqueKillSwitch, CompletionStage<Responded>> running =
          // The request side stays open (maybe) so that aborting it fails the connection and
          // closes its socket; a completed request side would leave the socket to the server.
          Source.single(request(step, uri))
              .concat(Source.maybe())
              .viaMat(KillSwitches.single(), Keep.right())
              .via(Http.get(context.getSystem()).outgoingConnection(ConnectHttp.toHost(
                  org.apache.pekko.http.javadsl.model.Uri.create(step.url()))))
              .mapAsync(1, response -> read(response, materializer, context.getExecutionContext()))
              .toMat(Sink.head(), Keep.both())
              .run(materializer);
      // A stage from Pekko runs every callback, pipeToSelf's included, on the JDK's default
      // executor: a new thread per call on 2 cores. Continuing on this actor's executor first
      // avoids that.
      context.pipeToSelf(running.second().thenApplyAsync(r -> r, context.getExecutionContext()),
          (responded, failure) -> failure == null ? responded : new Broke(describe(failure)));
      StepTimeout.arm(timers, step);
      UniqueKillSwitch connection = running.first();
      return Behaviors.receive(StepMessage.class)
          .onMessage(Responded.class, responded -> {
            attempt.report(judge(step, responded));
            return Behaviors.stopped();
          })
          .onMessage(Broke.class, broke -> {
            attempt.report(StepResult.failure(broke.error()));
            return Behaviors.stopped();
          })
          .onMessageEquals(StepTimeout.Expired.INSTANCE, () -> {
            connection.abort(new StepStoppedException());
            attempt.report(StepResult.failure("no response within " + step.timeoutSeconds()
                + " s; the connection was closed"));
            return Behaviors.stopped();
          })
          .onSignal(PostStop.class, signal -> {
            connection.abort(new StepStoppedException());
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static HttpRequest request(StepDefinition.Http step, URI uri) {
    String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    String method = step.method() == null ? "GET" : step.method();
    ContentType contentType = ContentTypes.TEXT_PLAIN_UTF8;
    List<HttpHeader> headers = new ArrayList<>();
    for (var header : step.headersOrEmpty().entrySet()) {
      if (header.getKey().equalsIgnoreCase("Content-Type")) {
        contentType = ContentTypes.parse(header.getValue());
      } else if (!header.getKey().equalsIgnoreCase("Content-Length")) {
        headers.add(RawHeader.create(header.getKey(), header.getValue()));
      }
    }
    HttpRequest request = HttpRequest.create(target)
        .withMethod(HttpMethods.lookup(method).orElse(HttpMethods.GET))
        .addHeaders(headers);
    if (step.body() != null) {
      request = request.withEntity(contentType, step.body().getBytes(StandardCharsets.UTF_8));
    }
    return request;
  }

  /** Keeps the first few KiB of the body and drains the rest, so the connection ends cleanly. */
  private static CompletionStage<Responded> read(HttpResponse response, Materializer materializer,
      Executor executor) {
    return response.entity().getDataBytes()
        .runWith(Sink.fold(ByteString.emptyByteString(),
            (kept, chunk) -> kept.size() >= OutputTail.MAX_BYTES ? kept : kept.concat(chunk)),
            materializer)
        .thenApplyAsync(body -> new Responded(response.status().intValue(),
            OutputTail.of(body.toArray())), executor);
  }

  private static StepResult judge(StepDefinition.Http step, Responded responded) {
    Matcher range = STATUS_RANGE.matcher(step.expectStatus() == null ? "200-299" : step.expectStatus());
    range.matches();
    int low = Integer.parseInt(range.group(1));
    int high = range.group(2) == null ? low : Integer.parseInt(range.group(2));
    boolean expected = responded.status() >= low && responded.status() <= high;
    return new StepResult(expected, responded.status(), responded.body(), expected ? null
        : "status " + responded.status() + " is outside the expected " + low + "-" + high);
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException
        && failure.getCause() != null ? failure.getCause() : failure;
    return "request failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  /** Why a step's connection was aborted. */
  static final class StepStoppedException extends RuntimeException {
    StepStoppedException() {
      super("step stopped", null, false, false);
    }
  }
}
