package dev.stepwise.http;

import dev.stepwise.engine.job.JobValidation;
import java.util.Optional;
import java.util.UUID;

/** Checks of path segments, query parameters and headers; each failure is a 400 naming it. */
final class RequestParsing {

  static final int MAX_REASON = 1_000;
  static final int MAX_IDEMPOTENCY_KEY = 200;

  private RequestParsing() {}

  /** An execution id: a UUID, in its canonical lower-case form. */
  static String executionId(String raw, String field) {
    try {
      UUID uuid = UUID.fromString(raw);
      if (uuid.toString().equalsIgnoreCase(raw)) {
        return uuid.toString();
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      // falls through to the problem below
    }
    throw ApiProblem.badRequest(field + ": not an execution id (a UUID)");
  }

  static String jobName(String raw) {
    if (raw == null || !JobValidation.JOB_NAME.matcher(raw).matches()) {
      throw ApiProblem.badRequest("name: must match " + JobValidation.JOB_NAME.pattern());
    }
    return raw;
  }

  static boolean flag(Optional<String> raw, String field) {
    return switch (raw.orElse("false")) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiProblem.badRequest(field + ": must be true or false");
    };
  }

  static Optional<Long> nonNegativeLong(Optional<String> raw, String field, long min) {
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      long value = Long.parseLong(raw.get().strip());
      if (value >= min) {
        return Optional.of(value);
      }
    } catch (NumberFormatException e) {
      // falls through to the problem below
    }
    throw ApiProblem.badRequest(field + ": must be a whole number of at least " + min);
  }

  /** {@code ?since=} of the event stream: true for {@code now}, false for {@code start} or none. */
  static boolean since(Optional<String> raw) {
    return switch (raw.orElse("start")) {
      case "now" -> true;
      case "start", "" -> false;
      default -> throw ApiProblem.badRequest("since: must be now or start");
    };
  }

  static String reason(String reason) {
    if (reason != null && reason.length() > MAX_REASON) {
      throw ApiProblem.badRequest("reason: at most " + MAX_REASON + " characters");
    }
    return reason;
  }

  static Optional<String> idempotencyKey(Optional<String> raw) {
    if (raw.isPresent()) {
      String key = raw.get();
      if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
        throw ApiProblem.badRequest("Idempotency-Key: 1 to " + MAX_IDEMPOTENCY_KEY
            + " characters");
      }
    }
    return raw;
  }
}
