package dev.stepwise.http;

import java.util.Map;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests that Pekko HTTP refuses while parsing, before any route sees them (a URI or
 * header past the limits, too many headers, a malformed request line, a declared body past the
 * size limit), with the same problem+json as every other error. Named in application.conf as
 * {@code pekko.http.server.parsing.error-handler}.
 */
public final class ParsingProblems extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log,
      ServerSettings settings) {
    // one line, not Pekko's multi-line default: hostile clients can send many of these
    log.warning("refused a request while parsing it: {} {}", status.intValue(), error.summary());
    String detail = error.summary().isBlank() ? status.reason() : error.summary();
    // Pekko answers an unknown method 501 and an unknown protocol version 505; both are the
    // client's malformed request, and bad requests are never a 5xx here.
    int code = status.intValue() >= 500 ? 400 : status.intValue();
    String title = code == status.intValue() ? status.reason() : "Bad Request";
    return Responses.problem(new ApiProblem(code, "http-" + code, title, detail, Map.of()));
  }
}
