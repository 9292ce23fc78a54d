package dev.stepwise.http;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;

/**
 * The node's bounded number of open Server-Sent Events streams: a stream takes a slot before it
 * starts and gives it back when it ends, whichever way (client gone, node stopping, failure).
 */
final class EventStreamSlots {

  /** One stream's claim; giving it back twice gives back one slot. */
  final class Slot {
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();

    /** For a running stream: its end, {@code done}, gives the slot back. */
    <M> M heldUntil(M materialized, CompletionStage<Done> done) {
      started.set(true);
      done.whenComplete((ok, failure) -> release());
      return materialized;
    }

    /** For a stream that could not start (its start offset was not found). */
    void releaseIfFailed(Throwable failure) {
      if (failure != null) {
        release();
      }
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        open.decrementAndGet();
      }
    }

    /**
     * For a response whose stream never ran (its client went away before the answer was sent):
     * nothing else would give the slot back.
     */
    void releaseIfNeverStarted() {
      if (!started.get()) {
        release();
      }
    }
  }

  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  EventStreamSlots(int max) {
    this.max = max;
  }

  /** A slot, or empty when {@code max} streams are open. */
  Optional<Slot> take() {
    while (true) {
      int now = open.get();
      if (now >= max) {
        return Optional.empty();
      }
      if (open.compareAndSet(now, now + 1)) {
        return Optional.of(new Slot());
      }
    }
  }

  /** How many streams are open now (a gauge for metrics). */
  int open() {
    return open.get();
  }
}
