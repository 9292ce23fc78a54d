package dev.stepwise.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a fixed number of runs in flight: a new run starts whenever one ends (a closed loop), and
 * at most {@code requests} start requests are open at once, as a client's connection pool would
 * allow. Whoever learns that a run ended calls {@link #ended()}.
 */
final class ClosedLoop {

  /** Asks the node to start one run; completes with true once the node accepted it. */
  @FunctionalInterface
  interface Starter {
    CompletionStage<Boolean> start();
  }

  private final int inFlight;
  private final Semaphore slots;
  private final Semaphore requests;
  private final Starter starter;
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Samples startLatencies = new Samples();
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
        CompletionStage<Boolean> start;
        try {
          start = starter.start();
        } catch (RuntimeException e) {
          start = CompletableFuture.failedFuture(e);
        }
        start.whenComplete((accepted, failure) -> {
          startLatencies.add(System.nanoTime() - asked);
          requests.release();
          if (failure != null || !Boolean.TRUE.equals(accepted)) {
            refused.incrementAndGet();
            slots.release();
          }
        });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One run ended: count it and let the next one start. */
  void ended() {
    ended.incrementAndGet();
    slots.release();
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
