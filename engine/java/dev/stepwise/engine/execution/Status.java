package dev.stepwise.engine.execution;

/** Where an execution stands; the constant names are the exact strings the API shows. */
public enum Status {
  Pending, Running, Success, Failed, Timeout, DeadLetter, Cancelling, Cancelled;

  public boolean isTerminal() {
    return switch (this) {
      case Success, Failed, Timeout, DeadLetter, Cancelled -> true;
      case Pending, Running, Cancelling -> false;
    };
  }
}
