package dev.stepwise.bench;

import java.io.PrintStream;

/** Says on standard error what the benchmark is doing, so long phases visibly move. */
final class Progress {

  private final PrintStream err;
  private final long began = System.nanoTime();

  Progress(PrintStream err) {
    this.err = err;
  }

  void say(String format, Object... args) {
    long seconds = (System.nanoTime() - began) / 1_000_000_000L;
    err.printf("[bench %3d:%02d] %s%n", seconds / 60, seconds % 60, String.format(format, args));
    err.flush();
  }
}
