package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.execution.ExecutionView;
import dev.stepwise.engine.execution.Status;
import dev.stepwise.engine.execution.StopMode;
import dev.stepwise.engine.job.JobDefinition;
import dev.stepwise.engine.job.StepDefinition;
import dev.stepwise.testing.Eventually;
import dev.stepwise.testing.TestDatabase;
import dev.stepwise.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP steps against real servers on loopback. */
class HttpStepIT {

  static TestNode node;
  static HttpServer server;
  static final AtomicReference<String> lastBody = new AtomicReference<>();

  @BeforeAll
  static void start() throws IOException {
    node = TestNode.on(TestDatabase.fresh());
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/ok", exchange -> {
      lastBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
          + "|" + exchange.getRequestHeaders().getFirst("X-Run"));
      byte[] body = "accepted".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.createContext("/teapot", exchange -> {
      exchange.sendResponseHeaders(418, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    node.close();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Test
  void requestWithExpectedStatusSucceedsAndKeepsTheBody() {
    StepDefinition step = new StepDefinition.Http("notify", "POST",
        url("/ok"), Map.of("X-Run", "nightly"), "done", "200-299", 10, null);
    String id = node.start(JobDefinition.of(step));
    ExecutionView view = node.awaitStatus(id, Status.Success);
    assertThat(view.steps().get(0).exitCode()).isEqualTo(200);
    assertThat(view.steps().get(0).output()).isEqualTo("accepted");
    assertThat(lastBody.get()).isEqualTo("done|nightly");
  }

  @Test
  void unexpectedStatusFailsTheStep() {
    String id = node.start(JobDefinition.of(StepDefinition.http("tea", "GET", url("/teapot"))));
    ExecutionView view = node.awaitStatus(id, Status.DeadLetter);
    assertThat(view.steps().get(0).exitCode()).isEqualTo(418);
    assertThat(view.steps().get(0).error()).contains("418").contains("200-299");
  }

  @Test
  void forceStopIsSeenByTheServerAsADroppedConnection() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> requestArrived = new CompletableFuture<>();
      CompletableFuture<String> connectionEnded = new CompletableFuture<>();
      Thread serverThread = new Thread(() -> holdOneRequest(silent, requestArrived,
          connectionEnded), "silent-server");
      serverThread.start();

      String id = node.start(JobDefinition.of(StepDefinition.http("hang", "GET",
          "http://127.0.0.1:" + silent.getLocalPort() + "/never-answers")));
      requestArrived.get(20, java.util.concurrent.TimeUnit.SECONDS);

      var reply = node.stop(id, StopMode.force, "stuck endpoint", "ops", null);
      assertThat(((ExecutionEntity.StopAccepted) reply).view().status())
          .isEqualTo(Status.Cancelled);
      assertThat(connectionEnded.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .isIn("closed", "reset");
      serverThread.join(10_000);
    }
  }

  /** Reads a request and never answers; reports how the client ended the connection. */
  private static void holdOneRequest(ServerSocket server, CompletableFuture<Void> arrived,
      CompletableFuture<String> ended) {
    try (Socket socket = server.accept()) {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      StringBuilder request = new StringBuilder();
      while (!request.toString().contains("\r\n\r\n")) {
        int n = in.read(buffer);
        if (n < 0) {
          ended.complete("closed before the request was read");
          return;
        }
        request.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
      arrived.complete(null);
      socket.setSoTimeout(30_000);
      ended.complete(in.read(buffer) < 0 ? "closed" : "sent more data");
    } catch (java.net.SocketTimeoutException e) {
      ended.complete("still open after 30 s");
    } catch (IOException e) {
      ended.complete(e.getMessage() != null && e.getMessage().contains("reset") ? "reset"
          : e.toString());
    }
  }
}
