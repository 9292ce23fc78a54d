package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server's own shutdown: idle connections and event streams close at once, a request still
 * arriving gets its answer, and the node stops well within the drain time.
 */
class HttpServerIT {

  @Test
  void shutdownClosesIdleConnectionsAtOnceAndAnswersARequestInFlight() throws Exception {
    ApiServer api = new ApiServer();
    String operator = api.operator();
    try (RawHttp idle = new RawHttp(api.port());
         RawHttp stream = new RawHttp(api.port());
         RawHttp inFlight = new RawHttp(api.port())) {
      idle.write("GET /health/alive HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(idle.readResponse().status()).isEqualTo(200);
      stream.write("GET /api/events?since=now HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
          + "Bearer " + api.viewer() + "\r\n\r\n");
      assertThat(stream.readResponse().status()).isEqualTo(200);
      String body = "{\"ids\":[\"not-an-id\"]}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      inFlight.write("POST /api/executions/stop HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
          + "Bearer " + operator + "\r\nContent-Type: application/json\r\nContent-Length: "
          + bytes.length + "\r\n\r\n" + body.substring(0, 5));

      long start = System.nanoTime();
      CompletableFuture<Void> stopped = CompletableFuture.runAsync(api::close);
      assertThat(idle.closedByServer(Duration.ofSeconds(5))).as("idle connection closed").isTrue();
      assertThat(stream.closedByServer(Duration.ofSeconds(5))).as("event stream closed").isTrue();
      long closedAfter = (System.nanoTime() - start) / 1_000_000;

      inFlight.write(body.substring(5));
      RawHttp.Response answer = inFlight.readResponse();
      assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
      assertThat(answer.body()).contains("ids[0]");

      stopped.get(30, TimeUnit.SECONDS);
      System.out.printf("shutdown: idle connection and event stream closed within %d ms, the"
          + " request in flight answered, node stopped after %d ms%n", closedAfter,
          (System.nanoTime() - start) / 1_000_000);
    }
  }
}
