package dev.stepwise.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stepwise.testing.TestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The benchmark's side of the public HTTP API: a JDK client with a bearer token, speaking
 * HTTP/1.1 on kept-alive connections. Asynchronous calls are blocking calls on threads of its own:
 * the JDK client's {@code sendAsync} hands every response to the default executor of
 * CompletableFuture, which on a 2-core machine is a new thread per response.
 */
final class ApiClient implements AutoCloseable {

  /** A response: its status and body. */
  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    Answer expect(int expected, String what) {
      if (status != expected) {
        throw new IllegalStateException(what + " answered " + status + " " + body);
      }
      return this;
    }
  }

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final ExecutorService callbacks = Executors.newFixedThreadPool(2,
      daemon("bench-http-client"));
  private final ExecutorService requests;
  private final TestClient client = new TestClient(HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .executor(callbacks)
      .connectTimeout(Duration.ofSeconds(10))
      .build(), TIMEOUT);

  /** {@code maxOpen}: how many asynchronous calls may be open at once (one thread each). */
  ApiClient(URI base, String token, int maxOpen) {
    this.base = base;
    this.token = token;
    this.requests = Executors.newFixedThreadPool(maxOpen, daemon("bench-http-request"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  Answer send(String method, String path, String body) {
    try {
      HttpResponse<String> response = client.send(base.resolve(path), method, token, body);
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  CompletableFuture<Answer> sendAsync(String method, String path, String body) {
    return CompletableFuture.supplyAsync(() -> send(method, path, body), requests);
  }

  /** Opens a stream (Server-Sent Events); the caller reads and closes the body. */
  HttpResponse<InputStream> stream(String path, String lastEventId) {
    try {
      return client.http().send(client.events(base.resolve(path), token, lastEventId).build(),
          HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  Answer get(String path) {
    return send("GET", path, null);
  }

  void defineJob(String name, String definition) {
    Answer answer = send("PUT", "/api/jobs/" + name, definition);
    if (answer.status() != 201 && answer.status() != 200) {
      throw new IllegalStateException("defining job " + name + " answered " + answer);
    }
  }

  /** Starts a run of {@code job} and returns its id once the node accepted it. */
  String start(String job) {
    return send("POST", "/api/jobs/" + job + "/executions", "{}")
        .expect(202, "start of " + job).json().get("id").asText();
  }

  CompletableFuture<Answer> startAsync(String job) {
    return sendAsync("POST", "/api/jobs/" + job + "/executions", "{}");
  }

  Answer stop(String id, boolean force) {
    return send("POST", "/api/executions/" + id + "/stop?force=" + force,
        "{\"reason\":\"benchmark\"}");
  }

  /** Force-stops {@code ids} with the bulk route, at most 500 at a time. */
  void stopAll(List<String> ids) {
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      String body;
      try {
        body = MAPPER.writeValueAsString(java.util.Map.of("ids", chunk, "force", true,
            "reason", "benchmark clean-up"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      send("POST", "/api/executions/stop", body).expect(200, "bulk stop");
    }
  }

  String status(String id) {
    return get("/api/executions/" + id).expect(200, "GET " + id).json().get("status").asText();
  }

  @Override
  public void close() {
    requests.shutdownNow();
    callbacks.shutdownNow();
  }
}
