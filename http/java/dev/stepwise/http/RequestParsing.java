package dev.stepwise.http;

import dev.stepwise.engine.job.JobValidation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.Query;

/** Checks of path segments, query parameters and headers; each failure is a 400 naming it. */
final class RequestParsing {

  static final int MAX_REASON = 1_000;
  static final int MAX_IDEMPOTENCY_KEY = 200;

  private RequestParsing() {}

  private static final Pattern DOT_SEGMENT = Pattern.compile("(^|/)\\.{1,2}(/|$)");

  /** The request target as the client sent it: no {@code .} or {@code ..} path segments. */
  static void requestTarget(String raw) {
    int query = raw.indexOf('?');
    if (DOT_SEGMENT.matcher(query < 0 ? raw : raw.substring(0, query)).find()) {
      throw ApiProblem.badRequest("path: '.' and '..' segments are not accepted");
    }
  }

  /**
   * Every parameter of the API takes one value: {@code ?force=true&force=false} is refused, not
   * read as whichever one a server or a proxy in front happens to pick.
   */
  static void singleValued(Query query) {
    List<String> repeated = query.toMultiMap().entrySet().stream()
        .filter(parameter -> parameter.getValue().size() > 1).map(Map.Entry::getKey).sorted()
        .toList();
    if (!repeated.isEmpty()) {
      throw ApiProblem.badRequest(repeated.stream()
          .map(name -> name + ": given more than once").toList());
    }
  }

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

  /**
   * How far ahead a run may be scheduled. Pekko's timers cannot wait much longer (about 248 days;
   * centuries overflow), and an execution whose timer cannot be armed fails at every start.
   */
  static final Duration MAX_START_DELAY = Duration.ofDays(90);

  /** A start time no later than {@link #MAX_START_DELAY} ahead; one in the past starts now. */
  static Instant startAt(Instant raw, Instant now) {
    if (raw != null && (raw.isAfter(now.plus(MAX_START_DELAY)) || raw.isBefore(Instant.EPOCH))) {
      throw ApiProblem.badRequest("startAt: at most " + MAX_START_DELAY.toDays()
          + " days from now (and not before 1970)");
    }
    return raw;
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
    if (reason != null && !isPrintable(reason)) {
      throw ApiProblem.badRequest("reason: text without control characters (tabs and line"
          + " breaks are fine)");
    }
    return reason;
  }

  /**
   * Text that every store and terminal takes as it is: no control characters but tab and line
   * breaks (NUL stops PostgreSQL, escape sequences rewrite an audit reader's terminal), and no
   * half of a surrogate pair.
   */
  static boolean isPrintable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
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
