package dev.stepwise.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request the API answers with an RFC 9457 problem: thrown or returned by routes, turned into
 * {@code application/problem+json} by {@link Responses} only.
 */
public final class ApiProblem extends RuntimeException {

  private static final String TYPES = "https://stepwise.dev/problems/";

  private final int status;
  private final String type;
  private final String title;
  private final Map<String, Object> extensions;

  public ApiProblem(int status, String slug, String title, String detail,
      Map<String, Object> extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.type = TYPES + slug;
    this.title = title;
    this.extensions = extensions;
  }

  public static ApiProblem badRequest(List<String> errors) {
    return new ApiProblem(400, "invalid-request", "Invalid request", String.join("; ", errors),
        Map.of("errors", List.copyOf(errors)));
  }

  public static ApiProblem badRequest(String error) {
    return badRequest(List.of(error));
  }

  public static ApiProblem notFound(String slug, String detail) {
    return new ApiProblem(404, slug, "Not found", detail, Map.of());
  }

  public static ApiProblem conflict(String detail, Map<String, Object> extensions) {
    return new ApiProblem(409, "conflict", "Conflict", detail, extensions);
  }

  public static ApiProblem unauthorized(String detail) {
    return new ApiProblem(401, "unauthorized", "Unauthorized", detail, Map.of());
  }

  public static ApiProblem forbidden(String detail) {
    return new ApiProblem(403, "forbidden", "Forbidden", detail, Map.of());
  }

  public int status() {
    return status;
  }

  /** The problem document: type, title, status, detail, then the extensions. */
  public Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", getMessage());
    body.putAll(extensions);
    return body;
  }
}
