package dev.stepwise.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed loop of a peer's jobs, as {@link ClosedLoop} is for Stepwise's runs: a fixed number in
 * flight, a new one enqueued whenever one ends. A peer with a bulk API gets every free slot in one
 * call; one without is driven by several client threads, one job per call.
 */
final class PeerLoad {

  /** Runs that ended per second in the window, and enqueues that failed (should be 0). */
  record Result(double runsPerSecond, long failed, boolean drained) {}

  private final Peer peer;
  private final int inFlight;
  private final int steps;
  private final Semaphore slots;
  private final AtomicLong ended = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<Thread> clients = new ArrayList<>();
  private volatile boolean starting = true;

  private PeerLoad(Peer peer, int inFlight, int steps) {
    this.peer = peer;
    this.inFlight = inFlight;
    this.steps = steps;
    this.slots = new Semaphore(inFlight);
  }

  /** Runs the loop: warm-up, then counts the runs that end in the window, then drains. */
  static Result measure(Peer peer, int inFlight, int steps, Duration warmup, Duration window)
      throws InterruptedException {
    PeerLoad load = new PeerLoad(peer, inFlight, steps);
    PeerWork.onEnd(load::ended);
    load.start();
    long ended0;
    long ended1;
    long t0;
    long t1;
    boolean drained;
    try {
      Thread.sleep(warmup.toMillis());
      ended0 = load.ended.get();
      t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      ended1 = load.ended.get();
      t1 = System.nanoTime();
    } finally {
      drained = load.drain(Duration.ofSeconds(120));
      PeerWork.onEnd(() -> { });
    }
    return new Result((ended1 - ended0) / ((t1 - t0) / 1e9), load.failed.get(), drained);
  }

  private void start() {
    for (int i = 0; i < peer.clients(); i++) {
      Thread client = new Thread(this::drive, "bench-peer-" + peer.name() + "-" + i);
      client.setDaemon(true);
      clients.add(client);
      client.start();
    }
  }

  private void drive() {
    try {
      while (starting) {
        if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        int count = 1;
        while (count < peer.maxBatch() && slots.tryAcquire()) {
          count++;
        }
        try {
          peer.enqueue(count, steps);
        } catch (Exception e) {
          failed.addAndGet(count);
          slots.release(count);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void ended() {
    ended.incrementAndGet();
    slots.release();
  }

  private boolean drain(Duration within) throws InterruptedException {
    starting = false;
    for (Thread client : clients) {
      client.join(30_000);
    }
    long deadline = System.nanoTime() + within.toNanos();
    while (slots.availablePermits() < inFlight && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return slots.availablePermits() >= inFlight;
  }
}
