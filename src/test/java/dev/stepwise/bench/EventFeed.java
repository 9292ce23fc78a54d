package dev.stepwise.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client of {@code GET /api/events} that hands each event to a listener the moment its last
 * line arrives, stamped with that moment. It reads only what the benchmark needs (type, id and
 * the execution id), so that following thousands of events a second costs the client little.
 */
final class EventFeed implements AutoCloseable {

  /** One delivered event; {@code arrivedNanos} is {@link System#nanoTime()} at its arrival. */
  record Delivered(String type, String executionId, long offset, long arrivedNanos) {
    boolean terminal() {
      return switch (type) {
        case "ExecutionSucceeded", "ExecutionFailed", "ExecutionDeadLettered",
            "ExecutionTimedOut", "ExecutionCancelled" -> true;
        default -> false;
      };
    }
  }

  private static final String EXECUTION_ID = "\"executionId\":\"";

  private final CompletableFuture<Integer> connected = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile boolean closing;
  private volatile InputStream body;

  /** Follows the events after journal offset {@code after} that {@code query} selects. */
  EventFeed(ApiClient api, String query, long after, Consumer<Delivered> listener) {
    Thread reader = new Thread(() -> read(api, query, after, listener), "bench-sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits until the stream answered 200; the node is then following the journal for us. */
  EventFeed awaitConnected() {
    try {
      int status = connected.get(30, TimeUnit.SECONDS);
      if (status != 200) {
        throw new IllegalStateException("the event stream answered " + status);
      }
      return this;
    } catch (Exception e) {
      throw new IllegalStateException("the event stream did not open", e);
    }
  }

  private void read(ApiClient api, String query, long after, Consumer<Delivered> listener) {
    try {
      HttpResponse<InputStream> response = api.stream("/api/events" + query, Long.toString(after));
      body = response.body();
      connected.complete(response.statusCode());
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16)) {
        String type = null;
        String executionId = null;
        long offset = -1;
        String line;
        while (!closing && (line = lines.readLine()) != null) {
          if (line.isEmpty()) {
            if (type != null) {
              listener.accept(new Delivered(type, executionId, offset, System.nanoTime()));
            }
            type = null;
            executionId = null;
            offset = -1;
          } else if (line.startsWith("event:")) {
            type = line.substring(6).strip();
          } else if (line.startsWith("id:")) {
            offset = Long.parseLong(line.substring(3).strip());
          } else if (line.startsWith("data:")) {
            int at = line.indexOf(EXECUTION_ID);
            if (at >= 0) {
              int from = at + EXECUTION_ID.length();
              executionId = line.substring(from, line.indexOf('"', from));
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      connected.completeExceptionally(e);
    } finally {
      ended.complete(null);
    }
  }

  /** Stops reading at the next line (heartbeats make sure one comes) and drops the stream. */
  @Override
  public void close() {
    closing = true;
    try {
      ended.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a reader still blocked goes away with its stream below; it is a daemon anyway
    }
    InputStream stream = body;
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException e) {
        // already gone
      }
    }
  }
}
