package dev.stepwise.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.http.Json;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Reads one node's {@code GET /api/events} stream on a thread of its own until closed. */
final class EventStream implements AutoCloseable {

  /** One event as streamed: its execution, journal sequence number and type. */
  record Event(String executionId, long seq, String type) {}

  final List<Event> events = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private volatile boolean closing;
  private volatile Stream<String> lines;
  volatile Exception failure;

  EventStream(LocalCluster cluster, int node, String token) {
    HttpRequest request = cluster.client().events(cluster.uri(node, "/api/events"), token, null)
        .build();
    reader = new Thread(() -> read(cluster, request), "event-stream-node" + node);
    reader.setDaemon(true);
    reader.start();
  }

  private void read(LocalCluster cluster, HttpRequest request) {
    try {
      HttpResponse<Stream<String>> response =
          cluster.client().http().send(request, HttpResponse.BodyHandlers.ofLines());
      lines = response.body();
      Iterator<String> it = lines.iterator();
      while (!closing && it.hasNext()) {
        String line = it.next();
        // heartbeats are events with empty data
        if (line.startsWith("data:") && !line.substring(5).isBlank()) {
          JsonNode data = Json.MAPPER.readTree(line.substring(5).strip());
          events.add(new Event(data.get("executionId").asText(), data.get("seq").asLong(),
              data.get("type").asText()));
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        failure = e; // the node went away, or the stream broke: the test's waits report it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The types streamed for one execution, in order. */
  List<String> typesOf(String executionId) {
    if (failure != null) {
      throw new AssertionError("the event stream broke", failure);
    }
    List<String> types = new ArrayList<>();
    events.stream().filter(e -> e.executionId().equals(executionId))
        .forEach(e -> types.add(e.type()));
    return types;
  }

  @Override
  public void close() {
    closing = true;
    Stream<String> open = lines;
    if (open != null) {
      open.close();
    }
  }
}
