package dev.stepwise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop keeps at most its number of runs in flight, whatever the node answers and when. */
class ClosedLoopTest {

  /** Each start the loop asks for, for the test to answer; none while the loop is full. */
  private final BlockingQueue<CompletableFuture<String>> starts = new LinkedBlockingQueue<>();
  /** One run in flight; more start requests may be open, so only the slots limit the loop. */
  private final ClosedLoop loop = new ClosedLoop("test", 1, 2, () -> {
    CompletableFuture<String> start = new CompletableFuture<>();
    starts.add(start);
    return start;
  });

  @AfterEach
  void drain() {
    loop.drain(Duration.ZERO);
  }

  @Test
  void aTimedOutStartWhoseRunEndsLaterFreesItsSlotOnce() throws InterruptedException {
    nextStart().completeExceptionally(new TimeoutException("the node answered too late"));
    CompletableFuture<String> second = nextStart();
    loop.ended("run-1"); // the node had accepted the timed-out start after all

    assertThat(starts.poll(300, TimeUnit.MILLISECONDS))
        .as("a start while the second run is in flight").isNull();
    second.complete("run-2");
    loop.ended("run-2");
    assertThat(nextStart()).isNotNull();
    assertThat(loop.refusedCount()).isEqualTo(1);
    assertThat(loop.endedCount()).isEqualTo(2);
  }

  @Test
  void aRefusedStartFreesItsSlot() throws InterruptedException {
    nextStart().complete(null);

    assertThat(nextStart()).isNotNull();
    assertThat(loop.refusedCount()).isEqualTo(1);
  }

  @Test
  void aRunThatEndsBeforeItsStartIsAnsweredFreesItsSlotOnce() throws InterruptedException {
    CompletableFuture<String> first = nextStart();
    loop.ended("run-1");
    first.complete("run-1");
    CompletableFuture<String> second = nextStart();
    assertThat(starts.poll(300, TimeUnit.MILLISECONDS))
        .as("a start while the second run is in flight").isNull();
    second.complete("run-2");
    loop.ended("run-2");
    assertThat(nextStart()).isNotNull();
  }

  @Test
  void drainingWaitsForTheRunsInFlight() throws InterruptedException {
    nextStart().complete("run-1");

    assertThat(loop.drain(Duration.ofMillis(200))).isFalse();
    loop.ended("run-1");
    assertThat(loop.drain(Duration.ofSeconds(5))).isTrue();
  }

  private CompletableFuture<String> nextStart() throws InterruptedException {
    CompletableFuture<String> start = starts.poll(5, TimeUnit.SECONDS);
    assertThat(start).as("the loop's next start").isNotNull();
    return start;
  }
}
