package dev.stepwise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A node's HTTP API as the command line uses it: the JDK's client, the bearer token on every
 * request, and every failure turned into a {@link CommandFailure} with a message and exit code.
 */
final class NodeClient {

  static final ObjectMapper JSON = new ObjectMapper();
  /** Longer than the node's own request timeout (20 s), which then answers 503 itself. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  NodeClient(String url, String token) {
    try {
      URI uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
      if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
        throw CommandFailure.usage("the node's URL must look like http://host:8080, not '"
            + url + "'");
      }
      this.base = uri;
    } catch (URISyntaxException e) {
      throw CommandFailure.usage("the node's URL is not a URL: '" + url + "'");
    }
    this.token = token;
  }

  /** Sends a request and returns the JSON answer of a 2xx. */
  JsonNode send(String method, String path, String jsonBody) {
    HttpResponse<String> response = exchange(request(method, path, jsonBody)
        .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), response.body());
    }
    try {
      return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new CommandFailure(ExitCode.FAILED, "the node answered " + response.statusCode()
          + " with something other than JSON");
    }
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  /** The body of a 2xx answer that is text, not JSON. */
  String text(String path) {
    HttpResponse<String> response = exchange(request("GET", path, null)
        .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), response.body());
    }
    return response.body();
  }

  /** The lines of a Server-Sent Events stream, read as they arrive. */
  Stream<String> stream(String path) {
    HttpResponse<Stream<String>> response = exchange(request("GET", path, null)
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      String body;
      try (Stream<String> lines = response.body()) {
        body = String.join("\n", lines.toList());
      }
      throw failure(response.statusCode(), body);
    }
    return response.body();
  }

  private HttpRequest.Builder request(String method, String path, String jsonBody) {
    if (token == null || token.isBlank()) {
      throw new CommandFailure(ExitCode.DENIED, "no token: pass --token or set STEPWISE_TOKEN "
          + "(a node without STEPWISE_JWT_SECRET prints an admin token when it starts)");
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path))
        .header("Authorization", "Bearer " + token)
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(jsonBody));
    if (jsonBody != null) {
      builder.header("Content-Type", "application/json");
    }
    return builder;
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (HttpTimeoutException e) {
      throw new CommandFailure(ExitCode.UNAVAILABLE, base + " did not answer within "
          + REQUEST_TIMEOUT.toSeconds() + " s");
    } catch (ConnectException e) {
      throw new CommandFailure(ExitCode.UNAVAILABLE, "cannot reach " + base
          + " (is the node running? set --url or STEPWISE_URL)");
    } catch (IOException e) {
      throw new CommandFailure(ExitCode.UNAVAILABLE, "talking to " + base + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure(ExitCode.FAILED, "interrupted");
    }
  }

  /** An error answer, with the problem's own detail when it is problem+json. */
  private static CommandFailure failure(int status, String body) {
    String detail = body;
    try {
      JsonNode problem = JSON.readTree(body);
      if (problem != null && problem.hasNonNull("detail")) {
        detail = problem.get("detail").asText();
      } else if (problem != null && problem.hasNonNull("title")) {
        detail = problem.get("title").asText();
      }
    } catch (IOException e) {
      // not JSON: the body as it came
    }
    String hint = Map.of(401, " (check the token and that it was signed with this node's secret)",
        403, " (the token lacks the role this needs)").getOrDefault(status, "");
    return new CommandFailure(ExitCode.ofStatus(status),
        status + ": " + (detail == null || detail.isBlank() ? "no detail" : detail) + hint);
  }
}
