package dev.stepwise.bench;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a fixed number of runs in flight: a new run starts whenever one ends (a closed loop), and
 * at most {@code requests} start requests are open at once, as a client's connection pool would
 * allow. Whoever learns that a run ended calls {@link #ended(String)}.
 *
 * <p>Each start takes one slot and frees it exactly once: when its run ends, or when the node did
 * not accept it. A start that failed (a timeout, a 503 from a node under load) frees its slot
 * then, though the node may have created the run after all; that run's end must not free a second
 * slot, or the loop would keep one more run in flight for every such start. So ends are matched
 * to the runs the node accepted by id, and an end may arrive before its start's answer.
 */
final class ClosedLoop {

  /** Asks the node to start one run; completes with its id once accepted, null if refused. */
  @FunctionalInterface
  interface Starter {
    CompletionStage<String> start();
  }

  private final int inFlight;
  private final Semaphore slots;
  private final Semaphore requests;
  private final Starter starter;
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Samples startLatencies = new Samples();
  /** Accepted runs whose end has not been seen; each holds a slot. Guarded by {@code this}. */
  private final Set<String> acceptedRuns = new HashSet<>();
  /** Ended runs that no accepted start has claimed (yet, or ever: a failed start's run). */
  private final Set<String> endedRuns = new HashSet<>();
  private final Thread driver;
  private volatile boolean starting = true;

  ClosedLoop(String name, int inFlight, int requests, Starter starter) {
    this.inFlight = inFlight;
    this.slots = new Semaphore(inFlight);
    this.requests = new Semaphore(requests);
    this.starter = starter;
    this.driver = new Thread(this::drive, "bench-loop-" + name);
    driver.setDaemon(true);
    driver.start();
  }

  private void drive() {
    try {
      while (starting) {
        if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        requests.acquire();
        started.incrementAndGet();
        long asked = System.nanoTime();
        CompletionStage<String> start;
        try {
          start = starter.start();
        } catch (RuntimeException e) {
          start = CompletableFuture.failedFuture(e);
        }
        start.whenComplete((id, failure) -> {
          startLatencies.add(System.nanoTime() - asked);
          requests.release();
          if (failure != null || id == null) {
            refused.incrementAndGet();
            slots.release();
          } else {
            meet(id, acceptedRuns, endedRuns);
          }
        });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Run {@code id} ended: count it and, if its start holds a slot, let the next one start. */
  void ended(String id) {
    ended.incrementAndGet();
    meet(id, endedRuns, acceptedRuns);
  }

  /**
   * Frees run {@code id}'s slot once both its accepted start and its end are in: the first of
   * the two to arrive waits in its own set for the other.
   */
  private void meet(String id, Set<String> arrived, Set<String> awaited) {
    boolean both;
    synchronized (this) {
      both = awaited.remove(id);
      if (!both) {
        arrived.add(id);
      }
    }
    if (both) {
      slots.release();
    }
  }

  long endedCount() {
    return ended.get();
  }

  /** How long the node took to accept each start (its answer comes after the first write). */
  Samples startLatencies() {
    return startLatencies;
  }

  long refusedCount() {
    return refused.get();
  }

  /** Stops starting runs and waits until those in flight have ended; false if some did not. */
  boolean drain(Duration within) {
    starting = false;
    try {
      driver.join(5_000);
      long deadline = System.nanoTime() + within.toNanos();
      while (slots.availablePermits() < inFlight && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return slots.availablePermits() >= inFlight;
  }
}
