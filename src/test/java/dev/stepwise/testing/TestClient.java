package dev.stepwise.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The tests' client of a node's HTTP API, on the JDK's: requests with an optional JSON body and
 * bearer token, a readiness probe, and event streams. What a node that does not answer means is
 * each test's to say, so sending passes I/O failures on.
 */
public final class TestClient {

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http;
  private final Duration timeout;

  /** {@code timeout}: how long a request sent with {@link #send} may take; null for no limit. */
  public TestClient(HttpClient http, Duration timeout) {
    this.http = http;
    this.timeout = timeout;
  }

  /** The JDK client underneath, to send a request with another body handler. */
  public HttpClient http() {
    return http;
  }

  /**
   * A request with {@code body} (null for none) as JSON, {@code token} (null for none) as its
   * bearer token, and {@code headers} as name, value, name, value…
   */
  public HttpRequest.Builder request(URI uri, String method, String token, String body,
      String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (timeout != null) {
      request.timeout(timeout);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request;
  }

  /** Sends {@link #request} and reads the answer's body as text. */
  public HttpResponse<String> send(URI uri, String method, String token, String body,
      String... headers) throws IOException, InterruptedException {
    return http.send(request(uri, method, token, body, headers).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of a GET within 5 s, its body unread; -1 when the node did not answer. */
  public int status(URI uri, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A request for an event stream (Server-Sent Events), resumed after {@code lastEventId} unless
   * it is null; without a timeout, since a stream is open for as long as it is read.
   */
  public HttpRequest.Builder events(URI uri, String token, String lastEventId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .header("Accept", "text/event-stream")
        .header("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return request;
  }
}
