package dev.stepwise.cli;

/** Ends a command with a message for standard error and the exit code that classifies it. */
final class CommandFailure extends RuntimeException {

  final ExitCode exitCode;

  CommandFailure(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  static CommandFailure usage(String message) {
    return new CommandFailure(ExitCode.USAGE, message);
  }
}
