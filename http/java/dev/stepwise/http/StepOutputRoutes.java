package dev.stepwise.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stepwise.engine.execution.StepRun;
import dev.stepwise.engine.execution.StepStatus;
import dev.stepwise.engine.step.StepOutputs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;

/**
 * {@code GET /api/executions/{id}/steps/{index}/attempts/{attempt}/output}: a shell step
 * attempt's output as this node keeps it. Plain text from a byte {@code offset}, or with
 * {@code follow=true} Server-Sent Events of what the step writes as it writes it, each event's
 * id the byte offset after it (resume with {@code Last-Event-ID}), ending with an {@code end}
 * event once the attempt ended. The file is on the node that ran the step: any other node
 * answers 404 problem+json, saying so.
 */
public final class StepOutputRoutes extends AllDirectives {

  /** The most one event carries; a faster writer is followed in several events. */
  static final int CHUNK = 64 * 1024;
  /** How often a follower looks for new bytes while the step writes nothing. */
  static final Duration POLL = Duration.ofMillis(200);
  /**
   * A follower whose file has not grown for this long asks the execution whether the attempt
   * still runs: a node killed mid-step never marks its attempt ended.
   */
  static final Duration IDLE_CHECK = Duration.ofSeconds(5);
  /** A follower may ask as the attempt starts, a moment before its file exists. */
  static final Duration FILE_GRACE = Duration.ofSeconds(3);

  /** Where a follower is: the next byte to send, and since when nothing new came. */
  private record Cursor(long offset, long idleSinceNanos, boolean done) {}

  private final StepOutputs outputs;
  private final ExecutionService executions;
  private final AuthDirectives auth;
  private final Duration heartbeat;
  private final Executor executor;

  StepOutputRoutes(ActorSystem<?> system, ExecutionService executions, AuthDirectives auth,
      HttpSettings settings) {
    this.outputs = StepOutputs.get(system);
    this.executions = executions;
    this.auth = auth;
    this.heartbeat = settings.sseHeartbeat();
    this.executor = system.executionContext();
  }

  public Route route() {
    return pathPrefix("executions", () -> pathPrefix(segment(), id -> pathPrefix("steps", () ->
        pathPrefix(segment(), index -> pathPrefix("attempts", () ->
            pathPrefix(segment(), attempt -> path("output", () -> get(() ->
                auth.authorized(Role.viewer, caller -> parameterOptional("follow", follow ->
                    parameterOptional("offset", offset ->
                        optionalHeaderValueByName("Last-Event-ID", lastId ->
                            output(id, index, attempt, follow, offset, lastId)))))))))))));
  }

  private Route output(String rawId, String rawIndex, String rawAttempt,
      Optional<String> rawFollow, Optional<String> rawOffset, Optional<String> lastEventId) {
    String id = RequestParsing.executionId(rawId, "id");
    int index = (int) number(rawIndex, "index", 0);
    int attempt = (int) number(rawAttempt, "attempt", 1);
    boolean follow = RequestParsing.flag(rawFollow, "follow");
    // Last-Event-ID resumes a follower; it wins over offset, as on /api/events
    long offset = RequestParsing.nonNegativeLong(lastEventId.filter(s -> follow), "Last-Event-ID", 0)
        .or(() -> RequestParsing.nonNegativeLong(rawOffset, "offset", 0)).orElse(0L);
    CompletionStage<StepOutputs.Attempt> found = follow
        ? awaitFile(id, index, attempt, System.nanoTime() + FILE_GRACE.toNanos())
        : CompletableFuture.completedFuture(outputs.find(id, index, attempt)
            .orElseThrow(() -> notHere(id, index, attempt)));
    return onSuccess(found, file -> follow
        ? completeOK(follow(id, index, attempt, offset), EventStreamMarshalling.toEventStream())
        : complete(whole(id, index, attempt, file, offset)));
  }

  private CompletionStage<StepOutputs.Attempt> awaitFile(String id, int index, int attempt,
      long deadline) {
    Optional<StepOutputs.Attempt> found = outputs.find(id, index, attempt);
    if (found.isPresent()) {
      return CompletableFuture.completedFuture(found.get());
    }
    if (System.nanoTime() > deadline) {
      return CompletableFuture.failedFuture(notHere(id, index, attempt));
    }
    return CompletableFuture.supplyAsync(() -> null, later())
        .thenCompose(ignored -> awaitFile(id, index, attempt, deadline));
  }

  private static ApiProblem notHere(String id, int index, int attempt) {
    return ApiProblem.notFound("output-not-here", "this node has no output of attempt " + attempt
        + " of step " + index + " of execution " + id + ": only shell steps keep output, and a"
        + " step's output stays on the node that ran it (in a cluster, ask that node)");
  }

  private static long number(String raw, String field, long min) {
    return RequestParsing.nonNegativeLong(Optional.of(raw), field, min)
        .filter(n -> n <= Integer.MAX_VALUE)
        .orElseThrow(() -> ApiProblem.badRequest(field + ": too large"));
  }

  private HttpResponse whole(String id, int index, int attempt, StepOutputs.Attempt file,
      long offset) {
    // what the file holds now: a running step's file grows while it is sent
    long from = Math.min(offset, file.size());
    long length = file.size() - from;
    Source<org.apache.pekko.util.ByteString, ?> bytes = StreamConverters.fromInputStream(
        () -> slice(file, from, length));
    return HttpResponse.create()
        .withEntity(length == 0 ? HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, "")
            : HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, length, bytes))
        .addHeader(RawHeader.create("Cache-Control", "no-store"))
        .addHeader(RawHeader.create("Content-Disposition", "inline; filename=\"" + id + "-step-"
            + index + "-attempt-" + attempt + ".log\""))
        .addHeader(RawHeader.create("Stepwise-Output-Ended", Boolean.toString(file.ended())))
        .addHeader(RawHeader.create("Stepwise-Output-Truncated",
            Boolean.toString(file.truncated())));
  }

  private static InputStream slice(StepOutputs.Attempt file, long from, long length)
      throws IOException {
    FileChannel channel = FileChannel.open(file.file(), StandardOpenOption.READ).position(from);
    InputStream in = java.nio.channels.Channels.newInputStream(channel);
    return new InputStream() {
      private long left = length;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] buffer, int at, int count) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(buffer, at, (int) Math.min(count, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  private Source<ServerSentEvent, NotUsed> follow(String id, int index, int attempt,
      long offset) {
    return Source.unfoldAsync(new Cursor(offset, System.nanoTime(), false),
            cursor -> next(id, index, attempt, cursor))
        .mapConcat(events -> events)
        .keepAlive(heartbeat, ServerSentEvent::heartbeat);
  }

  /** The next events of a follower: new bytes, nothing yet (after a pause), or the end. */
  private CompletionStage<Optional<Pair<Cursor, List<ServerSentEvent>>>> next(String id,
      int index, int attempt, Cursor cursor) {
    if (cursor.done()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.supplyAsync(() -> outputs.find(id, index, attempt), executor)
        .thenCompose(found -> {
          if (found.isEmpty()) {
            return ended(cursor, "the output is gone from this node");
          }
          StepOutputs.Attempt file = found.get();
          if (file.size() > cursor.offset()) {
            return CompletableFuture.supplyAsync(() -> chunk(file, cursor), executor);
          }
          if (file.ended()) {
            return ended(cursor, null);
          }
          if (System.nanoTime() - cursor.idleSinceNanos() > IDLE_CHECK.toNanos()) {
            return stillRunning(id, index, attempt).thenCompose(running -> running
                ? idle(new Cursor(cursor.offset(), System.nanoTime(), false))
                : ended(cursor, "the attempt no longer runs (its node may have stopped)"));
          }
          return idle(cursor);
        });
  }

  private CompletionStage<Optional<Pair<Cursor, List<ServerSentEvent>>>> idle(Cursor cursor) {
    return CompletableFuture.supplyAsync(() -> Optional.of(Pair.create(cursor, List.of())),
        later());
  }

  private static CompletionStage<Optional<Pair<Cursor, List<ServerSentEvent>>>> ended(
      Cursor cursor, String note) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    data.put("offset", cursor.offset());
    if (note != null) {
      data.put("note", note);
    }
    ServerSentEvent end = ServerSentEvent.create(new String(Json.write(data),
        StandardCharsets.UTF_8), Optional.of("end"), Optional.of(Long.toString(cursor.offset())),
        OptionalInt.empty());
    return CompletableFuture.completedFuture(Optional.of(Pair.create(
        new Cursor(cursor.offset(), cursor.idleSinceNanos(), true), List.of(end))));
  }

  private CompletionStage<Boolean> stillRunning(String id, int index, int attempt) {
    return executions.get(id).thenApply(read -> read.map(r -> {
      List<StepRun> steps = r.view().steps();
      return index < steps.size() && steps.get(index).attempt() == attempt
          && steps.get(index).status() == StepStatus.Running;
    }).orElse(false)).exceptionally(failure -> true);
  }

  /** Up to a chunk of new bytes, cut after the last whole UTF-8 character. */
  private static Optional<Pair<Cursor, List<ServerSentEvent>>> chunk(StepOutputs.Attempt file,
      Cursor cursor) {
    int want = (int) Math.min(CHUNK, file.size() - cursor.offset());
    ByteBuffer buffer = ByteBuffer.allocate(want);
    try (FileChannel channel = FileChannel.open(file.file(), StandardOpenOption.READ)) {
      while (buffer.hasRemaining() && channel.read(buffer, cursor.offset() + buffer.position()) > 0) {
        // reads until the chunk is full or the file ends
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
    int whole = file.ended() && cursor.offset() + bytes.length == file.size()
        ? bytes.length : wholeCharacters(bytes);
    if (whole == 0) {
      return Optional.of(Pair.create(cursor, List.of()));
    }
    long next = cursor.offset() + whole;
    ObjectNode data = Json.MAPPER.createObjectNode();
    data.put("text", new String(bytes, 0, whole, StandardCharsets.UTF_8));
    ServerSentEvent event = ServerSentEvent.create(new String(Json.write(data),
        StandardCharsets.UTF_8), Optional.of("output"), Optional.of(Long.toString(next)),
        OptionalInt.empty());
    return Optional.of(Pair.create(new Cursor(next, System.nanoTime(), false), List.of(event)));
  }

  /** How many leading bytes end on a character boundary (a sequence may be half written). */
  static int wholeCharacters(byte[] bytes) {
    int end = bytes.length;
    int back = 0;
    while (back < 3 && end - back - 1 >= 0 && (bytes[end - back - 1] & 0xC0) == 0x80) {
      back++;
    }
    int lead = end - back - 1;
    if (lead < 0) {
      return end;
    }
    int b = bytes[lead] & 0xff;
    int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    return needed == back + 1 ? end : lead;
  }

  private Executor later() {
    return CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS, executor);
  }
}
