package dev.stepwise.bench;

import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.persistence.ExecutionJournal;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Runs of a job of three no-op steps kept in flight by a closed loop. Over HTTP, runs start with
 * {@code POST /api/jobs/{job}/executions} and are seen to end on {@code GET /api/events?job=};
 * through the facade, they start with {@code Executions.start} and are seen to end on the same
 * journal query the event stream reads, in-process.
 */
final class NoopLoad implements AutoCloseable {

  static final JobDefinition JOB = JobDefinition.of(
      StepDefinition.custom("one", NoopStep.TYPE, null),
      StepDefinition.custom("two", NoopStep.TYPE, null),
      StepDefinition.custom("three", NoopStep.TYPE, null));

  /** The one-step job the in-process comparison with the peers runs beside {@link #JOB}. */
  static final JobDefinition ONE_STEP_JOB = JobDefinition.of(
      StepDefinition.custom("one", NoopStep.TYPE, null));

  static final String JOB_JSON = "{\"description\":\"three no-op steps\",\"steps\":["
      + "{\"name\":\"one\",\"type\":\"noop\"},{\"name\":\"two\",\"type\":\"noop\"},"
      + "{\"name\":\"three\",\"type\":\"noop\"}]}";

  private final ClosedLoop loop;
  private final AutoCloseable follower;

  private NoopLoad(ClosedLoop loop, AutoCloseable follower) {
    this.loop = loop;
    this.follower = follower;
  }

  /** {@code job} must be defined as {@link #JOB_JSON} and used by nothing else meanwhile. */
  static NoopLoad overHttp(ApiClient api, String job, long afterOrdering, int inFlight,
      int requests) {
    ClosedLoop[] loop = new ClosedLoop[1];
    EventFeed feed = new EventFeed(api, "?job=" + job, afterOrdering, event -> {
      if (event.terminal()) {
        loop[0].ended(event.executionId());
      }
    });
    feed.awaitConnected();
    loop[0] = new ClosedLoop(job, inFlight, requests,
        () -> api.startAsync(job).thenApply(answer -> answer.status() == 202
            ? answer.json().get("id").asText() : null));
    return new NoopLoad(loop[0], feed);
  }

  /** Execution ids start with {@code idPrefix}, which no other run may use. */
  static NoopLoad throughFacade(BenchNode node, String idPrefix, long afterOrdering,
      int inFlight) {
    return throughFacade(node, idPrefix, afterOrdering, inFlight, JOB);
  }

  /** As above, running {@code job} instead of the three-step one. */
  static NoopLoad throughFacade(BenchNode node, String idPrefix, long afterOrdering,
      int inFlight, JobDefinition job) {
    ClosedLoop[] loop = new ClosedLoop[1];
    ExecutionJournal journal = node.journal();
    UniqueKillSwitch follower = journal.eventsAfter(afterOrdering)
        .filter(entry -> entry.event() instanceof ExecutionEntity.Terminal
            && entry.executionId().startsWith(idPrefix))
        .viaMat(KillSwitches.single(), Keep.right())
        .to(Sink.foreach(entry -> loop[0].ended(entry.executionId())))
        .run(node.system());
    AtomicLong next = new AtomicLong();
    loop[0] = new ClosedLoop(idPrefix, inFlight, inFlight, () -> {
      String id = idPrefix + next.incrementAndGet();
      return node.executions().start(id, "bench-noop-facade", job, null, "bench", null)
          // an ask's stage runs even thenApply on the JDK's default executor: a new thread per
          // call on 2 cores; the system's executor keeps it on the dispatcher
          .thenApplyAsync(reply -> reply instanceof ExecutionEntity.Started ? id : null,
              node.system().executionContext());
    });
    return new NoopLoad(loop[0], follower::shutdown);
  }

  ClosedLoop loop() {
    return loop;
  }

  /** Lets the runs in flight end, then stops following. False if some did not end in time. */
  boolean finish() {
    boolean drained = loop.drain(Duration.ofSeconds(120));
    close();
    return drained;
  }

  @Override
  public void close() {
    try {
      follower.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
