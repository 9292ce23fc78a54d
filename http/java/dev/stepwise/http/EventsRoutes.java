package dev.stepwise.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.http.metrics.OpenStreams;
import dev.stepwise.persistence.ExecutionJournal;
import dev.stepwise.persistence.readside.ExecutionSummaries;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/events}: every execution's events as Server-Sent Events, read from the journal
 * so that the stream is cluster-wide. Each event's {@code id:} is its journal offset; a client
 * that reconnects with {@code Last-Event-ID} gets exactly the events after it. Without it the
 * stream starts at the beginning of the journal, or with {@code ?since=now} at its end. At most
 * {@code stepwise.http.max-sse-clients} streams are open at once; past that a client gets 503
 * with Retry-After.
 */
public final class EventsRoutes extends AllDirectives {

  /**
   * A slot whose stream never ran (the client left before the answer went out) is given back
   * after this; a stream that runs gives its slot back when it ends.
   */
  static final Duration UNSTARTED_SLOT_GRACE = Duration.ofSeconds(30);

  private final ExecutionJournal journal;
  private final ExecutionSummaries summaries;
  private final AuthDirectives auth;
  private final HttpSettings settings;
  private final OpenStreams streams;
  private final EventStreamSlots slots;
  private final ActorSystem<?> system;

  public EventsRoutes(ActorSystem<?> system, ExecutionJournal journal,
      ExecutionSummaries summaries, AuthDirectives auth, HttpSettings settings,
      OpenStreams streams) {
    this.system = system;
    this.journal = journal;
    this.summaries = summaries;
    this.auth = auth;
    this.settings = settings;
    this.streams = streams;
    this.slots = new EventStreamSlots(settings.maxSseClients());
  }

  public Route route() {
    return path("events", () -> get(() -> auth.authorized(Role.viewer, caller ->
        parameterOptional("job", job -> parameterOptional("execution", execution ->
            parameterOptional("since", since ->
                optionalHeaderValueByName("Last-Event-ID", lastId ->
                    events(job, execution, since, lastId))))))));
  }

  private Route events(Optional<String> rawJob, Optional<String> rawExecution,
      Optional<String> since, Optional<String> lastEventId) {
    // an empty parameter (?job=) means no filter
    Optional<String> job = rawJob.filter(s -> !s.isEmpty()).map(RequestParsing::jobName);
    Optional<String> execution = rawExecution.filter(s -> !s.isEmpty())
        .map(id -> RequestParsing.executionId(id, "execution"));
    Optional<Long> resumeAfter = RequestParsing.nonNegativeLong(lastEventId, "Last-Event-ID", 0);
    boolean fromNow = RequestParsing.since(since);
    Optional<EventStreamSlots.Slot> taken = slots.take();
    if (taken.isEmpty()) {
      return complete(Responses.eventStreamsFull());
    }
    EventStreamSlots.Slot slot = taken.get();
    system.scheduler().scheduleOnce(UNSTARTED_SLOT_GRACE, slot::releaseIfNeverStarted,
        system.executionContext());
    CompletionStage<Long> after = startAfter(resumeAfter, fromNow);
    after.whenComplete((offset, failure) -> slot.releaseIfFailed(failure));
    return onSuccess(after, offset -> completeOK(stream(offset, job, execution, slot),
        EventStreamMarshalling.toEventStream()));
  }

  /** Last-Event-ID resumes a stream, whatever it was first started with. */
  private CompletionStage<Long> startAfter(Optional<Long> resumeAfter, boolean fromNow) {
    if (resumeAfter.isPresent()) {
      return CompletableFuture.completedFuture(resumeAfter.get());
    }
    return fromNow ? summaries.latestJournalOffset() : CompletableFuture.completedFuture(0L);
  }

  private Source<ServerSentEvent, NotUsed> stream(long after, Optional<String> job,
      Optional<String> execution, EventStreamSlots.Slot slot) {
    // the job of each running execution, learnt once per stream from its first event
    Map<String, String> jobs = new ConcurrentHashMap<>();
    return journal.eventsAfter(after)
        .filter(entry -> execution.map(entry.executionId()::equals).orElse(true))
        .mapAsync(1, entry -> jobOf(entry, jobs).thenApply(j -> Pair.create(entry, j)))
        .filter(pair -> job.map(j -> j.equals(pair.second())).orElse(true))
        .map(pair -> forgetEnded(pair, jobs))
        .map(pair -> toSse(pair.first(), pair.second()))
        .keepAlive(settings.sseHeartbeat(), ServerSentEvent::heartbeat)
        .watchTermination((materialized, ended) ->
            counted(slot.heldUntil(materialized, ended), ended));
  }

  /** Counts the stream as open from when it starts to be sent until it ends either way. */
  private <M> M counted(M materialized, CompletionStage<Done> ended) {
    streams.opened();
    ended.whenComplete((done, failure) -> streams.closed());
    return materialized;
  }

  private CompletionStage<String> jobOf(ExecutionJournal.Entry entry, Map<String, String> jobs) {
    if (entry.event() instanceof ExecutionEntity.ExecutionCreated created) {
      jobs.put(entry.executionId(), created.job());
    }
    String known = jobs.get(entry.executionId());
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return journal.jobOf(entry.executionId()).thenApply(found -> {
      String job = found.orElse("");
      jobs.put(entry.executionId(), job);
      return job;
    });
  }

  /** An ended execution sends no more events, so a long-lived stream forgets its job. */
  private static Pair<ExecutionJournal.Entry, String> forgetEnded(
      Pair<ExecutionJournal.Entry, String> pair, Map<String, String> jobs) {
    if (pair.first().event() instanceof ExecutionEntity.Terminal) {
      jobs.remove(pair.first().executionId());
    }
    return pair;
  }

  private static ServerSentEvent toSse(ExecutionJournal.Entry entry, String job) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    data.put("offset", entry.offset());
    data.put("executionId", entry.executionId());
    data.put("job", job);
    data.put("seq", entry.seq());
    String type = entry.event().type();
    data.put("type", type);
    ObjectNode fields = Json.MAPPER.valueToTree(entry.event());
    fields.properties().forEach(field -> {
      if (!data.has(field.getKey())) {
        data.set(field.getKey(), field.getValue());
      }
    });
    return ServerSentEvent.create(new String(Json.write(data), StandardCharsets.UTF_8),
        Optional.of(type), Optional.of(Long.toString(entry.offset())), OptionalInt.empty());
  }
}
