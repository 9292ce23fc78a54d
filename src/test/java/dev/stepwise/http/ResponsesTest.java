package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

/** Failures that are the server's state, not the client's fault, say when to come back. */
class ResponsesTest {

  @Test
  void anUnreachableDatabaseIsA503WithRetryAfter() {
    HttpResponse response = Responses.fromThrowable(new CompletionException(
        new IllegalStateException("read side query failed",
            new SQLTransientConnectionException("Connection is not available"))));
    assertThat(response.status().intValue()).isEqualTo(503);
    assertThat(response.getHeader("Retry-After").map(h -> h.value())).contains("5");
  }

  @Test
  void anUnansweredAskIsA503WithRetryAfter() {
    HttpResponse response = Responses.fromThrowable(new AskTimeoutException("no answer"));
    assertThat(response.status().intValue()).isEqualTo(503);
    assertThat(response.getHeader("Retry-After").map(h -> h.value())).contains("5");
  }

  @Test
  void anythingElseUnexpectedStaysA500() {
    assertThat(Responses.fromThrowable(new IllegalStateException("bug")).status().intValue())
        .isEqualTo(500);
  }
}
