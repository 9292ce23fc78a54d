package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.Eventually;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow-loris and its kin against a node with short limits: a client that trickles a request (a
 * byte now and then, faster than the idle timeout) loses its connection at the request read
 * deadline; one that sends nothing at the idle timeout; while ordinary clients, requests sent in
 * pieces, keep-alive connections and event streams are served as usual.
 */
class SlowClientsIT {

  static final Duration READ_DEADLINE = Duration.ofSeconds(2);
  static final Duration IDLE = Duration.ofSeconds(8);
  /** How often a slow client sends a byte: well within the idle timeout, so it never fires. */
  static final Duration TRICKLE = Duration.ofMillis(400);
  /** Long enough on a loaded machine; a trickling client would stay for ever without a guard. */
  static final Duration WITHIN = Duration.ofSeconds(15);

  static ApiServer api;

  @BeforeAll
  static void start() {
    api = new ApiServer(Map.of(
        "stepwise.http.request-read-timeout", READ_DEADLINE.toMillis() + "ms",
        "pekko.http.server.idle-timeout", IDLE.toMillis() + "ms",
        "pekko.http.server.request-timeout", "4s",
        "stepwise.http.sse-heartbeat", "500ms"));
    // the first connection loads the server's classes; the timings below are of a warm node
    assertThat(api.get("/api/jobs", api.viewer()).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static String head(String requestLine) {
    return head(requestLine, api.viewer());
  }

  static String head(String requestLine, String token) {
    return requestLine + "\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n";
  }

  /**
   * Sends {@code first}, then one byte of {@code trickle} every {@link #TRICKLE} until the server
   * closes the connection; returns how long after the first byte that was.
   */
  static Duration trickleUntilClosed(RawHttp connection, String first, String trickle)
      throws IOException {
    long start = System.nanoTime();
    connection.write(first);
    for (int i = 0; System.nanoTime() - start < WITHIN.toNanos(); i++) {
      if (connection.closedByServer(TRICKLE)) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      try {
        connection.write(String.valueOf(trickle.charAt(i % trickle.length())));
      } catch (IOException closed) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
    }
    throw new AssertionError("the server kept a trickling client for " + WITHIN.toSeconds()
        + " s");
  }

  static void report(String what, Duration took) {
    System.out.printf("%s: closed %d ms after its first byte (read deadline %d ms, idle timeout"
        + " %d ms)%n", what, took.toMillis(), READ_DEADLINE.toMillis(), IDLE.toMillis());
  }

  @Test
  void aClientTricklingItsHeadersLosesTheConnectionAtTheReadDeadline() throws Exception {
    try (RawHttp loris = new RawHttp(api.port())) {
      Duration took = trickleUntilClosed(loris, "GET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n",
          "X-Loris: keep-me-open\r\n");
      report("trickled headers", took);
      assertThat(took).isGreaterThanOrEqualTo(READ_DEADLINE.minusMillis(100)).isLessThan(WITHIN);
    }
  }

  @Test
  void aClientTricklingItsRequestLineLosesTheConnectionAtTheReadDeadline() throws Exception {
    try (RawHttp loris = new RawHttp(api.port())) {
      Duration took = trickleUntilClosed(loris, "G", "ET /api/jobs/" + "a".repeat(200));
      report("trickled request line", took);
      assertThat(took).isGreaterThanOrEqualTo(READ_DEADLINE.minusMillis(100)).isLessThan(WITHIN);
    }
  }

  @Test
  void aClientTricklingItsBodyLosesTheConnectionAtTheReadDeadline() throws Exception {
    try (RawHttp rudy = new RawHttp(api.port())) {
      // an operator's bulk stop, so that the route waits for the body rather than refusing it
      Duration took = trickleUntilClosed(rudy, head("POST /api/executions/stop HTTP/1.1",
              api.operator())
              + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"ids\":[",
          "\"0000\",");
      report("trickled body", took);
      assertThat(took).isGreaterThanOrEqualTo(READ_DEADLINE.minusMillis(100)).isLessThan(WITHIN);
    }
  }

  @Test
  void aClientThatStallsHalfwayLosesTheConnectionAtTheReadDeadline() throws Exception {
    try (RawHttp stalled = new RawHttp(api.port())) {
      long start = System.nanoTime();
      stalled.write("GET /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      assertThat(stalled.closedByServer(WITHIN)).isTrue();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      report("stalled halfway", took);
      // the read deadline, not the longer idle timeout, ended it
      assertThat(took).isGreaterThanOrEqualTo(READ_DEADLINE.minusMillis(100)).isLessThan(IDLE);
    }
  }

  @Test
  void aClientThatSendsNothingLosesTheConnectionAtTheIdleTimeout() {
    try (RawHttp silent = new RawHttp(api.port())) {
      long start = System.nanoTime();
      assertThat(silent.closedByServer(WITHIN)).isTrue();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("silent connection: closed after %d ms (idle timeout %d ms)%n",
          took.toMillis(), IDLE.toMillis());
      assertThat(took).isGreaterThanOrEqualTo(IDLE.minusMillis(100));
    }
  }

  @Test
  void aSlowSecondRequestOnAKeepAliveConnectionIsCutOffToo() throws Exception {
    try (RawHttp connection = new RawHttp(api.port())) {
      connection.write(head("GET /api/jobs HTTP/1.1") + "\r\n");
      assertThat(connection.readResponse().status()).isEqualTo(200);
      Duration took = trickleUntilClosed(connection, "GET /api/jobs HTTP/1.1\r\n",
          "X-Slow: second\r\n");
      report("trickled second request", took);
      assertThat(took).isGreaterThanOrEqualTo(READ_DEADLINE.minusMillis(100)).isLessThan(WITHIN);
    }
  }

  @Test
  void aRequestSentInQuickPiecesIsServed() throws Exception {
    try (RawHttp connection = new RawHttp(api.port())) {
      String request = head("GET /api/jobs HTTP/1.1") + "Connection: close\r\n\r\n";
      int third = request.length() / 3;
      connection.write(request.substring(0, third));
      connection.write(request.substring(third, 2 * third));
      connection.write(request.substring(2 * third));
      assertThat(connection.readResponse().status()).isEqualTo(200);
    }
  }

  @Test
  void aKeepAliveConnectionServesRequestsFurtherApartThanTheReadDeadline() throws Exception {
    try (RawHttp connection = new RawHttp(api.port())) {
      connection.write(head("GET /api/jobs HTTP/1.1") + "\r\n");
      assertThat(connection.readResponse().status()).isEqualTo(200);
      // idle between requests for longer than the read deadline, shorter than the idle timeout:
      // the deadline counts from a request's first byte, not from the connection's
      assertThat(connection.closedByServer(READ_DEADLINE.plusSeconds(1))).isFalse();
      connection.write(head("GET /api/jobs HTTP/1.1") + "Connection: close\r\n\r\n");
      assertThat(connection.readResponse().status()).isEqualTo(200);
    }
  }

  @Test
  void anEventStreamLivesLongerThanTheReadDeadline() throws Exception {
    try (RawHttp stream = new RawHttp(api.port())) {
      stream.write(head("GET /api/events?since=now HTTP/1.1") + "\r\n");
      RawHttp.Response answer = stream.readResponse();
      assertThat(answer.status()).isEqualTo(200);
      long start = System.nanoTime();
      Duration open = READ_DEADLINE.multipliedBy(3);
      int lines = 0;
      while (System.nanoTime() - start < open.toNanos()) {
        String line = stream.readLine();
        assertThat(line).as("the stream ended after %d ms",
            (System.nanoTime() - start) / 1_000_000).isNotNull();
        lines++;
      }
      // heartbeats every 500 ms kept coming for three read deadlines
      assertThat(lines).isGreaterThanOrEqualTo(6);
    }
  }

  @Test
  void theNodeStillServesEveryoneElseAfterwards() {
    Eventually.await("the API answers", Duration.ofSeconds(30),
        () -> api.get("/api/jobs", api.viewer()).status() == 200);
  }
}
