package dev.stepwise.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, instead of sleeping and hoping. */
public final class Eventually {

  private Eventually() {}

  public static void await(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within.toMillis() + " ms: " + what);
      }
      pause();
    }
  }

  /** Polls {@code probe} until {@code done} holds for its value; returns that value. */
  public static <T> T await(String what, Duration within, Supplier<T> probe,
      java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + within.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within.toMillis() + " ms: " + what
            + "; last seen: " + last);
      }
      pause();
      last = probe.get();
    }
    return last;
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
