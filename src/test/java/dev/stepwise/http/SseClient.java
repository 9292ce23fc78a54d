package dev.stepwise.http;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client on the JDK HTTP client: collects events on its own thread until
 * closed, or until {@code stopAfter} holds for the events so far (a client that goes away).
 */
final class SseClient implements AutoCloseable {

  record Event(String id, String type, String data) {}

  final List<Event> events = new CopyOnWriteArrayList<>();
  final AtomicInteger heartbeats = new AtomicInteger();
  final CompletableFuture<Integer> status = new CompletableFuture<>();
  final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile boolean closing;

  SseClient(ApiServer api, String query, String token, String lastEventId,
      Predicate<List<Event>> stopAfter) {
    HttpRequest request = api.client().events(api.uri("/api/events" + query), token,
        lastEventId).build();
    Thread reader = new Thread(() -> read(api, request, stopAfter), "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  private void read(ApiServer api, HttpRequest request, Predicate<List<Event>> stopAfter) {
    try {
      HttpResponse<Stream<String>> response =
          api.client().http().send(request, HttpResponse.BodyHandlers.ofLines());
      status.complete(response.statusCode());
      try (Stream<String> lines = response.body()) {
        Iterator<String> it = lines.iterator();
        List<String> fields = new ArrayList<>();
        while (!closing && it.hasNext()) {
          String line = it.next();
          if (line.startsWith(":")) {
            heartbeats.incrementAndGet();
          } else if (!line.isEmpty()) {
            fields.add(line);
          } else if (!fields.isEmpty()) {
            dispatch(fields);
            fields.clear();
            if (stopAfter.test(events)) {
              break;
            }
          } else {
            heartbeats.incrementAndGet();
          }
        }
      }
    } catch (Exception e) {
      status.completeExceptionally(e);
    } finally {
      ended.complete(null);
    }
  }

  private void dispatch(List<String> fields) {
    String id = null;
    String type = null;
    StringBuilder data = new StringBuilder();
    for (String field : fields) {
      int colon = field.indexOf(':');
      String name = colon < 0 ? field : field.substring(0, colon);
      String value = colon < 0 ? "" : field.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (name) {
        case "id" -> id = value;
        case "event" -> type = value;
        case "data" -> data.append(data.length() == 0 ? "" : "\n").append(value);
        default -> { }
      }
    }
    if (data.length() == 0 && id == null) {
      heartbeats.incrementAndGet();
    } else {
      events.add(new Event(id, type, data.toString()));
    }
  }

  String lastId() {
    return events.isEmpty() ? null : events.get(events.size() - 1).id();
  }

  /** Stops reading at the next line; heartbeats make sure one comes. */
  @Override
  public void close() {
    closing = true;
    ended.orTimeout(Duration.ofSeconds(10).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
        .exceptionally(t -> null).join();
  }
}
