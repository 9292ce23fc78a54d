package dev.stepwise.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bodies of the peers' jobs. Public and static because JobRunr and Quartz find a job's code by
 * name; the benchmark runs one peer at a time, so one hook for "a run ended" is enough.
 */
public final class PeerWork {

  private static final AtomicLong COUNTER = new AtomicLong();
  private static volatile Runnable onEnd = () -> { };
  private static volatile Hold hold;

  private PeerWork() {}

  /** The peers' counterpart of a run of {@code steps} no-op steps: that many increments. */
  public static void run(int steps) {
    for (int i = 0; i < steps; i++) {
      COUNTER.incrementAndGet();
    }
    onEnd.run();
  }

  static void onEnd(Runnable hook) {
    onEnd = hook;
  }

  /** One held job for a cancel measurement: it says when it runs and when it saw the cancel. */
  static final class Hold {
    final CountDownLatch running = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile long observedAt;
    final CountDownLatch observed = new CountDownLatch(1);

    void observe() {
      observedAt = System.nanoTime();
      observed.countDown();
    }
  }

  static Hold newHold() {
    Hold h = new Hold();
    hold = h;
    return h;
  }

  /**
   * A job that runs until it is cancelled. The peer's cancel reaches it as a thread interrupt
   * (JobRunr) or as {@link #releaseHeld()} (Quartz's cooperative interrupt); either way it notes
   * when it saw it.
   */
  public static void held() {
    Hold h = hold;
    h.running.countDown();
    try {
      if (!h.release.await(1, TimeUnit.HOURS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    h.observe();
  }

  /** What Quartz's interrupt calls on the held job. */
  static void releaseHeld() {
    hold.release.countDown();
  }
}
