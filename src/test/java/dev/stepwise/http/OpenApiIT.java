package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.stepwise.http.ApiServer.Answer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document and the server agree: every documented operation is served, and on every
 * documented path, and on a few paths that are not built yet, nothing else is.
 */
class OpenApiIT {

  static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "PATCH");
  /** Paths that neither the document nor the server may have (yet). */
  static final List<String> NOT_BUILT = List.of("/api", "/health");

  static ApiServer api;
  static JsonNode document;

  @BeforeAll
  static void start() throws Exception {
    api = new ApiServer();
    try (InputStream in = OpenApiIT.class.getClassLoader()
        .getResourceAsStream(OpenApiRoutes.RESOURCE)) {
      document = new YAMLMapper().readTree(in);
    }
    assertThat(api.put("/api/jobs/quick", api.admin(),
        "{\"steps\":[{\"name\":\"hi\",\"type\":\"shell\",\"command\":[\"true\"]}]}").status())
        .isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static Set<String> documented() {
    Set<String> operations = new TreeSet<>();
    document.get("paths").properties().forEach(path -> path.getValue().properties()
        .forEach(op -> {
          if (METHODS.contains(op.getKey().toUpperCase())) {
            operations.add(op.getKey().toUpperCase() + " " + path.getKey());
          }
        }));
    return operations;
  }

  /** Whether the server has a route for it: anything but its "no such route" answers. */
  static boolean served(String method, String template) {
    String path = template.replace("{name}", "quick").replace("{index}", "0")
        .replace("{attempt}", "1")
        .replace("{id}", UUID.randomUUID().toString());
    Answer answer = api.head(method, path, api.admin());
    if (answer.status() != 404 && answer.status() != 405) {
      return true;
    }
    String type = answer.json().path("type").asText();
    return !type.endsWith("/http-404") && !type.endsWith("/http-405");
  }

  @Test
  void theDocumentIsOpenApi3WithOperationsForTheIssuesRoutes() {
    assertThat(document.get("openapi").asText()).startsWith("3.");
    assertThat(documented()).contains("PUT /api/jobs/{name}", "GET /api/jobs",
        "GET /api/jobs/{name}", "DELETE /api/jobs/{name}", "POST /api/jobs/{name}/executions",
        "GET /api/executions/{id}", "GET /api/executions/{id}/history",
        "POST /api/executions/{id}/stop", "POST /api/executions/stop",
        "POST /api/executions/{id}/retry", "GET /api/events", "GET /health/alive",
        "GET /health/ready", "GET /api/openapi.yaml", "GET /metrics");
  }

  @Test
  void everyDocumentedOperationIsServed() {
    List<String> missing = new ArrayList<>();
    for (String operation : documented()) {
      String[] parts = operation.split(" ");
      if (!served(parts[0], parts[1])) {
        missing.add(operation);
      }
    }
    assertThat(missing).as("documented but not served").isEmpty();
  }

  @Test
  void theServerServesNoOperationTheDocumentLacks() {
    Set<String> paths = new TreeSet<>();
    document.get("paths").fieldNames().forEachRemaining(paths::add);
    paths.addAll(NOT_BUILT);
    Set<String> documented = documented();
    List<String> extra = new ArrayList<>();
    for (String path : paths) {
      for (String method : METHODS) {
        String operation = method + " " + path;
        if (!documented.contains(operation) && served(method, path)) {
          extra.add(operation);
        }
      }
    }
    assertThat(extra).as("served but not documented").isEmpty();
    assertThat(documented).noneMatch(op -> NOT_BUILT.contains(op.split(" ")[1]));
  }
}
