package dev.stepwise.cli;

/**
 * What a command's exit status tells a script; docs/cli.md lists the same table, and the
 * numbers never change meaning.
 */
public enum ExitCode {
  /** Done as asked. */
  OK(0),
  /** The node answered with an error not covered below (a 400, a 5xx other than 503). */
  FAILED(1),
  /** The command line is wrong; nothing was sent. */
  USAGE(2),
  /** No answer: the node is unreachable, timed out, or said 503 (try again later). */
  UNAVAILABLE(3),
  /** The token is missing, invalid (401) or lacks the role (403). */
  DENIED(4),
  /** No such execution or job (404). */
  NOT_FOUND(5),
  /** Refused because of the execution's state: it has already ended (409). */
  CONFLICT(6);

  final int code;

  ExitCode(int code) {
    this.code = code;
  }

  /** The exit code an HTTP error status maps to. */
  static ExitCode ofStatus(int status) {
    return switch (status) {
      case 401, 403 -> DENIED;
      case 404 -> NOT_FOUND;
      case 409 -> CONFLICT;
      case 503 -> UNAVAILABLE;
      default -> FAILED;
    };
  }
}
