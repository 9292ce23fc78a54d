package dev.stepwise.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.stepwise.engine.step.CustomStep;
import dev.stepwise.engine.step.StepTypes;
import dev.stepwise.testing.DatabaseKind;
import dev.stepwise.testing.TestClient;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A real node with its HTTP API bound on a random loopback port, journaling to a fresh
 * PostgreSQL database or to the README's default (H2 in a data folder of its own), plus a plain
 * client to talk to it and tokens to do so with.
 */
final class ApiServer implements AutoCloseable {

  static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

  /** A response with its body parsed when it is JSON. */
  record Answer(int status, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(raw.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + raw.body(), e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String contentType() {
      return header("Content-Type");
    }

    @Override
    public String toString() {
      return status + " " + raw.body();
    }
  }

  private final ActorSystem<Void> system;
  private final TestDatabase.Credentials database;
  private final Path dataDir;
  private final int port;
  private final BearerTokens tokens;
  private final TestClient client = new TestClient(HttpClient.newHttpClient(),
      Duration.ofSeconds(30));

  ApiServer(Map<String, Object> extraSettings) {
    this(extraSettings, Map.of());
  }

  /** A node that also runs the {@code custom} step types. */
  ApiServer(Map<String, Object> extraSettings, Map<String, CustomStep> custom) {
    this(DatabaseKind.POSTGRES, extraSettings, custom);
  }

  ApiServer(DatabaseKind kind, Map<String, Object> extraSettings) {
    this(kind, extraSettings, Map.of());
  }

  ApiServer(DatabaseKind kind, Map<String, Object> extraSettings,
      Map<String, CustomStep> custom) {
    Map<String, Object> settings = new HashMap<>();
    try {
      dataDir = Files.createTempDirectory("stepwise-api-");
    } catch (IOException e) {
      throw new IllegalStateException("no temp folder for the node's data", e);
    }
    settings.put("stepwise.data-dir", dataDir.toString());
    if (kind == DatabaseKind.POSTGRES) {
      TestDatabase.Credentials postgres = TestDatabase.fresh();
      settings.put("stepwise.database.url", postgres.url());
      settings.put("stepwise.database.user", postgres.user());
      settings.put("stepwise.database.password", postgres.password());
    }
    settings.put("stepwise.http.host", "127.0.0.1");
    settings.put("stepwise.http.port", 0);
    settings.put("stepwise.jwt.secret", SECRET);
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.putAll(extraSettings);
    Config config = NodeConfig.load(ConfigFactory.parseMap(settings), Map.of());
    database = new TestDatabase.Credentials(config.getString("stepwise.database.url"),
        config.getString("stepwise.database.user"),
        config.getString("stepwise.database.password"));
    system = ActorSystem.create(Behaviors.empty(), "stepwise", config);
    try {
      port = StepwiseNode.init(system, StepTypes.with(custom)).binding().toCompletableFuture()
          .get(30, TimeUnit.SECONDS).localAddress().getPort();
    } catch (Exception e) {
      system.terminate();
      throw new AssertionError("the API did not bind", e);
    }
    tokens = BearerTokens.from(HttpSettings.from(config).jwt());
  }

  /** Rows in the journal table, of every persistent actor: executions, jobs and sharding's. */
  long journalRows() {
    try (var connection = java.sql.DriverManager.getConnection(database.url(), database.user(),
        database.password());
        var rows = connection.createStatement().executeQuery(
            "SELECT count(*) FROM \"event_journal\"")) {
      rows.next();
      return rows.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new AssertionError("cannot count the journal's rows", e);
    }
  }

  ApiServer() {
    this(Map.of());
  }

  ActorSystem<Void> system() {
    return system;
  }

  int port() {
    return port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  String token(String subject, String... roles) {
    return tokens.issue(subject, List.of(roles), Duration.ofHours(1));
  }

  String viewer() {
    return token("vera", "viewer");
  }

  String operator() {
    return token("otto", "operator");
  }

  String admin() {
    return token("ada", "admin");
  }

  Answer send(String method, String path, String token, String body, String... headers) {
    try {
      HttpResponse<String> response = client.send(uri(path), method, token, body, headers);
      return new Answer(response.statusCode(), response);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Status and problem type only, without waiting for the body's end (for streams). */
  Answer head(String method, String path, String token) {
    HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, method.equals("GET") || method.equals("DELETE")
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"))
        .build();
    try {
      HttpResponse<java.io.InputStream> response = client.http().send(request,
          HttpResponse.BodyHandlers.ofInputStream());
      String body;
      if (response.headers().firstValue("Content-Type").orElse("").contains("event-stream")) {
        response.body().close();
        body = "";
      } else {
        try (var in = response.body()) {
          body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
      }
      String finalBody = body;
      return new Answer(response.statusCode(), new StringResponse(response, finalBody));
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** An input-stream response re-dressed with its body read as text. */
  private record StringResponse(HttpResponse<?> inner, String body)
      implements HttpResponse<String> {
    @Override public int statusCode() { return inner.statusCode(); }
    @Override public HttpRequest request() { return inner.request(); }
    @Override public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }
    @Override public java.net.http.HttpHeaders headers() { return inner.headers(); }
    @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return inner.sslSession();
    }
    @Override public URI uri() { return inner.uri(); }
    @Override public HttpClient.Version version() { return inner.version(); }
  }

  Answer get(String path, String token) {
    return send("GET", path, token, null);
  }

  Answer post(String path, String token, String body, String... headers) {
    return send("POST", path, token, body, headers);
  }

  Answer put(String path, String token, String body) {
    return send("PUT", path, token, body);
  }

  TestClient client() {
    return client;
  }

  @Override
  public void close() {
    TestNode.terminate(system);
    try (var files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
