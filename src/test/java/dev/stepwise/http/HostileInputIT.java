package dev.stepwise.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stepwise.engine.execution.ExecutionEntity;
import dev.stepwise.engine.job.JobCatalog;
import dev.stepwise.http.ApiServer.Answer;
import dev.stepwise.testing.Eventually;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against a running node: every request in the table gets a clear 4xx with a
 * problem+json body and changes nothing (no journaled event, no job, no execution, no stop);
 * event streams past the node's limit are refused with 503 and Retry-After, and a slot frees up
 * when a client goes away.
 */
class HostileInputIT {

  static final int MAX_SSE = 4;
  static final String SLEEPY =
      "{\"steps\":[{\"name\":\"nap\",\"type\":\"sleep\",\"seconds\":600}]}";
  static final String QUICK =
      "{\"steps\":[{\"name\":\"hi\",\"type\":\"shell\",\"command\":[\"true\"]}]}";
  static final Duration WAIT = Duration.ofSeconds(30);

  static ApiServer api;
  /** A running execution that no hostile request may stop, cancel or otherwise change. */
  static String running;

  @BeforeAll
  static void start() {
    api = new ApiServer(Map.of(
        "stepwise.http.max-body-size", "256k",
        "stepwise.http.max-sse-clients", MAX_SSE,
        "stepwise.http.sse-heartbeat", "1s"));
    assertThat(api.put("/api/jobs/sleepy", api.admin(), SLEEPY).status()).isEqualTo(201);
    assertThat(api.put("/api/jobs/quick", api.admin(), QUICK).status()).isEqualTo(201);
    Answer started = api.post("/api/jobs/sleepy/executions", api.operator(), null);
    assertThat(started.status()).as(started.toString()).isEqualTo(202);
    running = started.json().get("id").asText();
    attacks();
    Eventually.await("the read side lists " + running, WAIT,
        () -> api.get("/api/executions?job=sleepy", api.viewer()).json().get("items").size(),
        size -> size == 1);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  // ---------------------------------------------------------------- the table

  /** What came back for one hostile request. */
  record Outcome(int status, String contentType, String body) {
    static Outcome of(Answer answer) {
      return new Outcome(answer.status(), answer.contentType(), answer.raw().body());
    }

    static Outcome of(RawHttp.Response response) {
      return new Outcome(response.status(), response.header("Content-Type"), response.body());
    }
  }

  record Attack(String group, String name, Supplier<Outcome> send) {}

  static final List<Attack> ATTACKS = new ArrayList<>();

  static void add(String group, String name, Supplier<Outcome> send) {
    ATTACKS.add(new Attack(group, name, send));
  }

  /** Through the JDK client, with Content-Type: application/json when there is a body. */
  static Supplier<Outcome> http(String method, String path, Supplier<String> token, String body,
      String... headers) {
    return () -> Outcome.of(api.send(method, path, token == null ? null : token.get(), body,
        headers));
  }

  /** Byte for byte over a socket; {@code Connection: close} and Host are added. */
  static Supplier<Outcome> raw(String requestLine, Supplier<String> token, String headers,
      byte[] body) {
    return () -> {
      StringBuilder head = new StringBuilder(requestLine).append("\r\n")
          .append("Host: 127.0.0.1\r\nConnection: close\r\n");
      if (token != null) {
        head.append("Authorization: Bearer ").append(token.get()).append("\r\n");
      }
      head.append(headers);
      head.append("\r\n");
      byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
      byte[] request = new byte[start.length + (body == null ? 0 : body.length)];
      System.arraycopy(start, 0, request, 0, start.length);
      if (body != null) {
        System.arraycopy(body, 0, request, start.length, body.length);
      }
      return Outcome.of(RawHttp.exchange(api.port(), request));
    };
  }

  static Supplier<Outcome> raw(String requestLine, Supplier<String> token, String headers,
      String body) {
    return raw(requestLine, token, headers,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  static Supplier<Outcome> rawJson(String method, String path, Supplier<String> token,
      String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return raw(method + " " + path + " HTTP/1.1", token,
        "Content-Type: " + contentType + "\r\nContent-Length: " + bytes.length + "\r\n", bytes);
  }

  static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String step(String name) {
    return "{\"name\":\"" + name + "\",\"type\":\"sleep\",\"seconds\":1}";
  }

  static String steps(int count) {
    StringBuilder steps = new StringBuilder();
    for (int i = 0; i < count; i++) {
      steps.append(i == 0 ? "" : ",").append(step("s" + i));
    }
    return steps.toString();
  }

  static String job(String fields) {
    return "{\"steps\":[" + step("a") + "]" + (fields.isEmpty() ? "" : "," + fields) + "}";
  }

  static String withStep(String stepFields) {
    return "{\"steps\":[{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":1," + stepFields + "}]}";
  }

  static String shell(String command) {
    return "{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":" + command + "}]}";
  }

  /** The table; built once the node runs, since some requests name its running execution. */
  static void attacks() {
    Supplier<String> admin = () -> api.admin();
    Supplier<String> operator = () -> api.operator();
    Supplier<String> viewer = () -> api.viewer();
    Supplier<String> stop = () -> "/api/executions/" + running + "/stop";
    String define = "/api/jobs/hostile";
    String start = "/api/jobs/sleepy/executions";

    // malformed and deeply nested JSON
    add("json", "unterminated array", http("PUT", define, admin, "{\"steps\": ["));
    add("json", "unterminated string", http("PUT", define, admin, "{\"steps\": [{\"name\":\"a"));
    add("json", "trailing garbage", http("PUT", define, admin, job("") + "garbage"));
    add("json", "two documents", http("PUT", define, admin, job("") + job("")));
    add("json", "single quotes", http("PUT", define, admin, "{'steps':[]}"));
    add("json", "comment", http("PUT", define, admin, "/* hi */" + job("")));
    add("json", "NaN literal", http("PUT", define, admin, job("\"timeoutSeconds\":NaN")));
    add("json", "NUL byte", http("PUT", define, admin, "\u0000"));
    byte[] latin1 = "{\"steps\":[{\"name\":\"\u00ff\u00fe\"}]}".getBytes(StandardCharsets.ISO_8859_1);
    add("json", "not UTF-8", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nContent-Length: " + latin1.length + "\r\n", latin1));
    add("json", "100k [", http("PUT", define, admin, "[".repeat(100_000)));
    add("json", "100k [ then ]", http("PUT", define, admin,
        "[".repeat(50_000) + "]".repeat(50_000)));
    add("json", "30k nested objects", http("PUT", define, admin,
        "{\"a\":".repeat(30_000) + "1" + "}".repeat(30_000)));
    add("json", "deep nesting in a command", http("PUT", define, admin,
        shell("[" + "[".repeat(20_000) + "]".repeat(20_000) + "]")));
    add("json", "deep nesting in a start", http("POST", start, operator,
        "{\"startAt\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}"));
    add("json", "deep nesting in a stop", http("POST", stop.get(), operator,
        "{\"reason\":" + "{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000) + "}"));
    add("json", "deep nesting in a bulk stop", http("POST", "/api/executions/stop", operator,
        "{\"ids\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}"));
    add("json", "20k unknown keys", http("PUT", define, admin, "{"
        + String.join(",", java.util.stream.IntStream.range(0, 20_000)
            .mapToObj(i -> "\"k" + i + "\":1").toList()) + "}"));
    add("json", "duplicate key", http("PUT", define, admin,
        "{\"steps\":[" + step("a") + "],\"steps\":[" + step("b") + "]}"));
    add("json", "empty body", http("PUT", define, admin, ""));
    add("json", "null document", http("PUT", define, admin, "null"));
    add("json", "array document", http("PUT", define, admin, "[" + job("") + "]"));

    // wrong types
    add("types", "steps as a string", http("PUT", define, admin, "{\"steps\":\"echo hi\"}"));
    add("types", "steps as an object", http("PUT", define, admin, "{\"steps\":{}}"));
    add("types", "a step as a string", http("PUT", define, admin, "{\"steps\":[\"a\"]}"));
    add("types", "a null step", http("PUT", define, admin, "{\"steps\":[null]}"));
    add("types", "timeoutSeconds as a string", http("PUT", define, admin,
        job("\"timeoutSeconds\":\"5\"")));
    add("types", "timeoutSeconds as a float", http("PUT", define, admin,
        job("\"timeoutSeconds\":1.5")));
    add("types", "deadLetter as a string", http("PUT", define, admin,
        job("\"deadLetter\":\"yes\"")));
    add("types", "command as a string", http("PUT", define, admin, shell("\"rm -rf /\"")));
    add("types", "command of numbers", http("PUT", define, admin, shell("[1,2]")));
    add("types", "a null argument", http("PUT", define, admin, shell("[\"echo\",null]")));
    add("types", "env as a list", http("PUT", define, admin,
        "{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":[\"true\"],\"env\":[1]}]}"));
    add("types", "retry as a list", http("PUT", define, admin, withStep("\"retry\":[3]")));
    add("types", "seconds as true", http("PUT", define, admin,
        "{\"steps\":[{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":true}]}"));
    add("types", "type as a number", http("PUT", define, admin,
        "{\"steps\":[{\"name\":\"a\",\"type\":7}]}"));
    add("types", "startAt as a number", http("POST", start, operator, "{\"startAt\":0}"));
    add("types", "startAt as prose", http("POST", start, operator,
        "{\"startAt\":\"tomorrow\"}"));
    add("types", "reason as an object", http("POST", stop.get(), operator,
        "{\"reason\":{\"why\":1}}"));
    add("types", "graceSeconds as a string", http("POST", stop.get(), operator,
        "{\"graceSeconds\":\"soon\"}"));
    add("types", "bulk ids as a string", http("POST", "/api/executions/stop", operator,
        "{\"ids\":\"" + UUID.randomUUID() + "\"}"));
    add("types", "bulk force as a string", http("POST", "/api/executions/stop", operator,
        "{\"ids\":[\"" + UUID.randomUUID() + "\"],\"force\":\"yes\"}"));

    // unknown fields where they matter: a typo must not silently change what runs or stops
    add("unknown", "job field", http("PUT", define, admin, job("\"timeout\":5")));
    add("unknown", "step field", http("PUT", define, admin, withStep("\"timeout\":5")));
    add("unknown", "retry field", http("PUT", define, admin,
        withStep("\"retry\":{\"maxAttempts\":2,\"backoffSeconds\":1,\"backoff\":1}")));
    add("unknown", "start field", http("POST", start, operator, "{\"when\":\"now\"}"));
    add("unknown", "stop field", http("POST", stop.get(), operator, "{\"mode\":\"force\"}"));
    add("unknown", "bulk stop field", http("POST", "/api/executions/stop", operator,
        "{\"ids\":[\"" + running + "\"],\"kill\":true}"));

    // sizes and counts
    add("size", "body over the limit", http("PUT", define, admin,
        job("\"description\":\"" + "x".repeat(300_000) + "\"")));
    add("size", "chunked body over the limit", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
        chunked(job("\"description\":\"" + "x".repeat(300_000) + "\""))));
    add("size", "declared length over the limit", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nContent-Length: 99999999999\r\n", job("")));
    add("size", "101 steps", http("PUT", define, admin, "{\"steps\":[" + steps(101) + "]}"));
    add("size", "5000 steps", http("PUT", define, admin, "{\"steps\":[" + steps(5000) + "]}"));
    add("size", "101 cleanup steps", http("PUT", define, admin,
        job("\"onCancel\":[" + steps(101) + "]")));
    add("size", "long description", http("PUT", define, admin,
        job("\"description\":\"" + "d".repeat(1001) + "\"")));
    add("size", "257 arguments", http("PUT", define, admin,
        shell("[" + String.join(",", java.util.Collections.nCopies(257, "\"a\"")) + "]")));
    add("size", "long argument", http("PUT", define, admin,
        shell("[\"echo\",\"" + "a".repeat(8193) + "\"]")));
    add("size", "65 environment variables", http("PUT", define, admin,
        "{\"steps\":[{\"name\":\"a\",\"type\":\"shell\",\"command\":[\"true\"],\"env\":{"
            + String.join(",", java.util.stream.IntStream.range(0, 65)
                .mapToObj(i -> "\"V" + i + "\":\"x\"").toList()) + "}}]}"));
    add("size", "long reason", http("POST", stop.get(), operator,
        "{\"reason\":\"" + "r".repeat(1001) + "\"}"));
    add("size", "501 bulk ids", http("POST", "/api/executions/stop", operator,
        "{\"ids\":[" + String.join(",", java.util.stream.IntStream.range(0, 501)
            .mapToObj(i -> "\"" + UUID.randomUUID() + "\"").toList()) + "]}"));
    add("size", "long Idempotency-Key", http("POST", start, operator, null,
        "Idempotency-Key", "k".repeat(201)));
    add("size", "blank Idempotency-Key", http("POST", start, operator, null,
        "Idempotency-Key", "   "));

    // negative and absurd timeouts, retries and grace periods
    add("numbers", "timeoutSeconds 0", http("PUT", define, admin, job("\"timeoutSeconds\":0")));
    add("numbers", "timeoutSeconds -1", http("PUT", define, admin,
        job("\"timeoutSeconds\":-1")));
    add("numbers", "timeoutSeconds past int", http("PUT", define, admin,
        job("\"timeoutSeconds\":2147483648")));
    add("numbers", "timeoutSeconds 1e400", http("PUT", define, admin,
        job("\"timeoutSeconds\":1e400")));
    add("numbers", "timeoutSeconds 10 years", http("PUT", define, admin,
        job("\"timeoutSeconds\":315360000")));
    add("numbers", "stopGraceSeconds -1", http("PUT", define, admin,
        job("\"stopGraceSeconds\":-1")));
    add("numbers", "stopGraceSeconds 10 years", http("PUT", define, admin,
        job("\"stopGraceSeconds\":315360000")));
    add("numbers", "step timeoutSeconds -5", http("PUT", define, admin,
        withStep("\"timeoutSeconds\":-5")));
    add("numbers", "sleep seconds -1", http("PUT", define, admin,
        "{\"steps\":[{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":-1}]}"));
    add("numbers", "sleep seconds 1e308", http("PUT", define, admin,
        "{\"steps\":[{\"name\":\"a\",\"type\":\"sleep\",\"seconds\":1e308}]}"));
    add("numbers", "retry maxAttempts 0", http("PUT", define, admin,
        withStep("\"retry\":{\"maxAttempts\":0,\"backoffSeconds\":1}")));
    add("numbers", "retry maxAttempts -1", http("PUT", define, admin,
        withStep("\"retry\":{\"maxAttempts\":-1,\"backoffSeconds\":1}")));
    add("numbers", "retry maxAttempts a million", http("PUT", define, admin,
        withStep("\"retry\":{\"maxAttempts\":1000000,\"backoffSeconds\":1}")));
    add("numbers", "retry backoffSeconds -5", http("PUT", define, admin,
        withStep("\"retry\":{\"maxAttempts\":2,\"backoffSeconds\":-5}")));
    add("numbers", "retry backoffSeconds 1e300", http("PUT", define, admin,
        withStep("\"retry\":{\"maxAttempts\":2,\"backoffSeconds\":1e300}")));
    add("numbers", "stop graceSeconds -1", http("POST", stop.get(), operator,
        "{\"graceSeconds\":-1}"));
    add("numbers", "stop graceSeconds 10 years", http("POST", stop.get(), operator,
        "{\"graceSeconds\":315360000}"));
    add("numbers", "startAt in year 3000", http("POST", start, operator,
        "{\"startAt\":\"3000-01-01T00:00:00Z\"}"));
    add("numbers", "startAt at the end of time", http("POST", start, operator,
        "{\"startAt\":\"+1000000000-12-31T23:59:59Z\"}"));

    // path traversal in job names and execution ids
    for (String name : List.of("..", "%2e%2e", "%2E%2E", "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc", "%252e%252e", "..%5C..%5Cwindows", "a%00b", "%c0%ae%c0%ae",
        "quick%2F..%2Fsleepy", "Upper", "-dash", "x".repeat(101), "%E2%80%AEkcab", "jöb")) {
      add("traversal", "define " + name, http("PUT", "/api/jobs/" + name, admin, QUICK));
      add("traversal", "start " + name, http("POST", "/api/jobs/" + name + "/executions",
          operator, null));
    }
    add("traversal", "raw ../ in a job path", raw("PUT /api/jobs/../jobs/quick HTTP/1.1",
        admin, "Content-Type: application/json\r\nContent-Length: " + QUICK.length() + "\r\n",
        QUICK));
    add("traversal", "raw ../ out of /api", raw("GET /api/../../etc/passwd HTTP/1.1", viewer,
        "", (String) null));
    add("traversal", "backslashes", raw("GET /api/jobs/..\\..\\etc HTTP/1.1", viewer, "",
        (String) null));
    for (String id : List.of("..", "%2e%2e", "..%2F..%2Fjobs%2Fquick", "not-a-uuid", "",
        "1-1-1-1-1", "%7B" + UUID.randomUUID() + "%7D", UUID.randomUUID() + "x",
        "%27%20OR%201%3D1%20--", "00000000-0000-0000-0000-00000000000g")) {
      add("ids", "read " + id, http("GET", "/api/executions/" + id + "/history", viewer, null));
      add("ids", "stop " + id, http("POST", "/api/executions/" + id + "/stop", operator, null));
    }
    add("ids", "unknown id is 404", http("POST", "/api/executions/" + UUID.randomUUID()
        + "/stop?force=true", operator, null));
    add("ids", "a bad id among good ones", http("POST", "/api/executions/stop", operator,
        "{\"ids\":[\"" + running + "\",\"../" + running + "\"],\"force\":true}"));

    // query parameters and resume headers
    for (String limit : List.of("0", "-1", "abc", "1e3", "99999999999999999999", "")) {
      add("query", "limit=" + limit, http("GET", "/api/executions?limit=" + limit, viewer,
          null));
    }
    add("query", "unknown status", http("GET", "/api/executions?status=Bogus", viewer, null));
    add("query", "lower-case status", http("GET", "/api/executions?status=running", viewer,
        null));
    add("query", "job filter not a name", http("GET", "/api/executions?job=..%2F", viewer,
        null));
    add("query", "garbage cursor", http("GET", "/api/executions?cursor=garbage", viewer, null));
    add("query", "cursor of another shape", http("GET", "/api/executions?cursor="
        + b64("x|y"), viewer, null));
    add("query", "cursor at the end of time", http("GET", "/api/executions?cursor="
        + b64("+1000000000-12-31T23:59:59Z|" + running), viewer, null));
    add("query", "cursor before time", http("GET", "/api/executions?cursor="
        + b64("-1000000000-01-01T00:00:00Z|" + running), viewer, null));
    for (String asOf : List.of("0", "-1", "x", "1.5", "99999999999999999999")) {
      add("query", "asOf=" + asOf, http("GET", "/api/executions/" + running + "?asOf=" + asOf,
          viewer, null));
    }
    add("query", "since=yesterday", http("GET", "/api/events?since=yesterday", viewer, null));
    add("query", "events for a bad execution id", http("GET", "/api/events?execution=..",
        viewer, null));
    add("query", "events for a bad job", http("GET", "/api/events?job=UP", viewer, null));
    for (String last : List.of("-1", "abc", "1e5", "99999999999999999999")) {
      add("query", "Last-Event-ID " + last, http("GET", "/api/events", viewer, null,
          "Last-Event-ID", last));
    }

    // bad stop modes
    for (String force : List.of("yes", "1", "TRUE", "", "true&force=false")) {
      add("stop mode", "force=" + force, http("POST", stop.get() + "?force=" + force, operator,
          null));
    }
    add("stop mode", "a job filter twice", http("GET", "/api/executions?job=quick&job=sleepy",
        viewer, null));
    add("stop mode", "since twice", http("GET", "/api/events?since=now&since=start", viewer,
        null));
    add("stop mode", "job-wide force=kill", http("POST", "/api/jobs/sleepy/stop?force=kill",
        operator, null));

    // content types
    add("content type", "text/plain", rawJson("PUT", define, admin, "text/plain", QUICK));
    add("content type", "form", rawJson("PUT", define, admin,
        "application/x-www-form-urlencoded", QUICK));
    add("content type", "xml", rawJson("PUT", define, admin, "application/xml", QUICK));
    add("content type", "multipart", rawJson("PUT", define, admin,
        "multipart/form-data; boundary=x", QUICK));
    add("content type", "stop as text/plain", rawJson("POST", stop.get(), operator,
        "text/plain", "{\"reason\":\"x\"}"));
    add("content type", "start as form", rawJson("POST", start, operator,
        "application/x-www-form-urlencoded", "{}"));
    add("content type", "two content types", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: "
            + QUICK.length() + "\r\n", QUICK));

    // text that the read side stores
    add("text", "NUL in a stop reason", http("POST", stop.get(), operator,
        "{\"reason\":\"a\\u0000b\"}"));
    add("text", "control characters in a stop reason", http("POST", stop.get(), operator,
        "{\"reason\":\"a\\u001b[31mred\"}"));
    add("text", "lone surrogate in a stop reason", http("POST", stop.get(), operator,
        "{\"reason\":\"\\ud800\"}"));

    // headers, URI and framing: refused while parsing, before any route
    add("parsing", "header value of 9 KiB", raw("GET /api/jobs HTTP/1.1", viewer,
        "X-Big: " + "v".repeat(9 * 1024) + "\r\n", (String) null));
    add("parsing", "token of 9 KiB", raw("GET /api/jobs HTTP/1.1", null,
        "Authorization: Bearer " + "t".repeat(9 * 1024) + "\r\n", (String) null));
    add("parsing", "100 headers", raw("GET /api/jobs HTTP/1.1", viewer,
        String.join("", java.util.stream.IntStream.range(0, 100)
            .mapToObj(i -> "X-H" + i + ": v\r\n").toList()), (String) null));
    add("parsing", "header name of 100 characters", raw("GET /api/jobs HTTP/1.1", viewer,
        "X-" + "n".repeat(100) + ": v\r\n", (String) null));
    add("parsing", "URI of 3 KiB", raw("GET /api/jobs/" + "a".repeat(3 * 1024) + " HTTP/1.1",
        viewer, "", (String) null));
    add("parsing", "query of 3 KiB", raw("GET /api/executions?job=" + "a".repeat(3 * 1024)
        + " HTTP/1.1", viewer, "", (String) null));
    add("parsing", "garbage request line", raw("HELLO", null, "", (String) null));
    add("parsing", "unknown method", raw("BREW /api/jobs HTTP/1.1", viewer, "",
        (String) null));
    add("parsing", "HTTP/2.0 in an HTTP/1 request line", raw("GET /api/jobs HTTP/2.0", viewer,
        "", (String) null));
    add("parsing", "HTTP/1.2", raw("GET /api/jobs HTTP/1.2", viewer, "", (String) null));
    add("parsing", "space in the URI", raw("GET /api/jobs/a b HTTP/1.1", viewer, "",
        (String) null));
    add("parsing", "control character in the URI", raw("GET /api/jobs/a\u0001b HTTP/1.1",
        viewer, "", (String) null));
    add("parsing", "Content-Length and chunked", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nContent-Length: 4\r\n"
            + "Transfer-Encoding: chunked\r\n", chunked(QUICK)));
    add("parsing", "two Content-Lengths", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nContent-Length: " + QUICK.length()
            + "\r\nContent-Length: 3\r\n", QUICK));
    add("parsing", "negative Content-Length", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nContent-Length: -1\r\n", QUICK));
    add("parsing", "Content-Length not a number", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nContent-Length: abc\r\n", QUICK));
    add("parsing", "unknown transfer coding", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n",
        chunked(QUICK)));
    add("parsing", "bad chunk size", raw("PUT " + define + " HTTP/1.1", admin,
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
        "zz\r\n" + QUICK + "\r\n0\r\n\r\n"));
    add("parsing", "header without a colon", raw("GET /api/jobs HTTP/1.1", viewer,
        "NoColonHere\r\n", (String) null));
    add("parsing", "no Host header", () -> Outcome.of(RawHttp.exchange(api.port(),
        "GET /api/jobs HTTP/1.1\r\nConnection: close\r\nAuthorization: Bearer " + api.viewer()
            + "\r\n\r\n")));
  }

  static String chunked(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return Integer.toHexString(bytes.length) + "\r\n" + body + "\r\n0\r\n\r\n";
  }

  // ---------------------------------------------------------------- what must not change

  /** Every execution's and the job catalog's last journaled sequence number. */
  static Map<String, Long> journaled() throws Exception {
    JdbcReadJournal journal = PersistenceQuery.get(api.system())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    List<String> ids = journal.currentPersistenceIds().runWith(Sink.seq(), api.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, Long> last = new TreeMap<>();
    for (String id : ids) {
      // sharding's own bookkeeping (remembered entities) is not the API's state
      if (id.startsWith(ExecutionEntity.ENTITY_KEY.name() + "|")
          || id.startsWith(JobCatalog.ENTITY_KEY.name() + "|")) {
        last.put(id, journal.currentLastSequenceNumberByPersistenceId(id)
            .toCompletableFuture().get(30, TimeUnit.SECONDS).orElse(0L));
      }
    }
    return last;
  }

  record State(Map<String, Long> events, JsonNode jobs, JsonNode executions,
      JsonNode runningView) {
    static State now() throws Exception {
      return new State(journaled(), api.get("/api/jobs", api.viewer()).json(),
          api.get("/api/executions?limit=500", api.viewer()).json(),
          api.get("/api/executions/" + running, api.viewer()).json());
    }

    /** This state as if {@code execution} had never been started. */
    State without(String execution) {
      Map<String, Long> kept = new TreeMap<>(events);
      kept.remove(ExecutionEntity.persistenceId(execution).id());
      com.fasterxml.jackson.databind.node.ObjectNode list = executions.deepCopy();
      com.fasterxml.jackson.databind.node.ArrayNode items = list.putArray("items");
      executions.get("items").forEach(item -> {
        if (!execution.equals(item.path("id").asText(item.path("executionId").asText()))) {
          items.add(item);
        }
      });
      return new State(kept, jobs, list, runningView);
    }
  }

  // ---------------------------------------------------------------- tests

  @Test
  void everyHostileInputGetsAClear4xxProblemAndChangesNothing() throws Exception {
    State before = State.now();
    assertThat(before.runningView().get("status").asText()).isEqualTo("Running");
    Map<String, int[]> byGroup = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    for (Attack attack : ATTACKS) {
      Outcome outcome;
      try {
        outcome = attack.send().get();
      } catch (RuntimeException | AssertionError e) {
        outcome = new Outcome(-1, null, e.toString());
      }
      boolean clear = outcome.status() >= 400 && outcome.status() < 500
          && "application/problem+json".equals(outcome.contentType())
          && problemOf(outcome) == outcome.status();
      System.out.println(attack.group() + " / " + attack.name() + " -> " + outcome.status()
          + " " + clip(outcome.body()));
      int[] counts = byGroup.computeIfAbsent(attack.group(), g -> new int[2]);
      counts[0]++;
      if (clear) {
        counts[1]++;
      } else {
        failures.add(attack.group() + " / " + attack.name() + " -> " + outcome.status() + " "
            + outcome.contentType() + " " + clip(outcome.body()));
      }
    }
    printFigures(byGroup);
    failures.forEach(failure -> System.out.println("NOT CLEAR: " + failure));
    // A legitimate start after the table: once the read side lists it, it has also seen
    // anything that the hostile requests before it may have journaled.
    String marker = api.post("/api/jobs/quick/executions", api.operator(), null).json()
        .get("id").asText();
    Eventually.await("the read side lists " + marker, WAIT,
        () -> api.get("/api/executions?job=quick", api.viewer()).json().get("items").size(),
        size -> size == 1);
    State after = State.now().without(marker);

    assertThat(failures).as("inputs without a clear 4xx problem").isEmpty();
    assertThat(after.events()).as("journaled events").isEqualTo(before.events());
    assertThat(after.jobs()).as("jobs").isEqualTo(before.jobs());
    assertThat(after.executions()).as("executions").isEqualTo(before.executions());
    assertThat(after.runningView()).as("the running execution")
        .isEqualTo(before.runningView());
  }

  // ---------------------------------------------------------------- event streams

  /** Opens an event stream by hand; the answer's head (and a refusal's body) is read. */
  static RawHttp openStream(RawHttp.Response[] answer) throws Exception {
    RawHttp stream = new RawHttp(api.port());
    stream.write("GET /api/events?since=now HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Accept: text/event-stream\r\nAuthorization: Bearer " + api.viewer() + "\r\n\r\n");
    answer[0] = stream.readResponse();
    return stream;
  }

  /** An open event stream, or null (its connection closed) when the node refused it. */
  static RawHttp streamOrNull() {
    RawHttp.Response[] answer = new RawHttp.Response[1];
    try {
      RawHttp stream = openStream(answer);
      if (answer[0].status() == 200) {
        return stream;
      }
      stream.close();
      return null;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void eventStreamsPastTheLimitGet503WithRetryAfterAndAClosedOneFreesItsSlot() throws Exception {
    int extra = 3;
    List<RawHttp> open = new ArrayList<>();
    RawHttp.Response[] answer = new RawHttp.Response[1];
    try {
      // every slot: streams of earlier tests may still be giving theirs back
      for (int i = 0; i < MAX_SSE; i++) {
        open.add(Eventually.await("stream " + (i + 1) + " of " + MAX_SSE + " opens", WAIT,
            HostileInputIT::streamOrNull, stream -> stream != null));
      }
      int refused = 0;
      for (int i = 0; i < extra; i++) {
        try (RawHttp stream = openStream(answer)) {
          RawHttp.Response refusal = answer[0];
          assertThat(refusal.status()).as(refusal.toString()).isEqualTo(503);
          assertThat(refusal.header("Content-Type")).isEqualTo("application/problem+json");
          assertThat(refusal.header("Retry-After")).isEqualTo("5");
          assertThat(Json.MAPPER.readTree(refusal.body()).get("type").asText())
              .endsWith("/event-streams-full");
          refused++;
        }
      }
      assertThat(refused).isEqualTo(extra);

      // a client that goes away gives its slot back
      long closed = System.nanoTime();
      open.remove(0).close();
      open.add(Eventually.await("a stream opens once a client has gone", WAIT,
          HostileInputIT::streamOrNull, stream -> stream != null));
      long freedAfter = (System.nanoTime() - closed) / 1_000_000;
      // and only that one: the node is full again
      try (RawHttp stream = openStream(answer)) {
        assertThat(answer[0].status()).isEqualTo(503);
      }
      System.out.printf("%nEvent streams: limit %d, opened %d, refused %d of %d past the limit"
          + " (503 + Retry-After: 5); a closed stream's slot taken again %d ms after the close%n",
          MAX_SSE, MAX_SSE, refused, extra, freedAfter);
    } finally {
      open.forEach(RawHttp::close);
    }
  }

  @Test
  void aStreamSinceNowSkipsTheJournalSoFarWhileLastEventIdStillResumes() {
    String viewer = api.viewer();
    try (SseClient fromStart = new SseClient(api, "", viewer, null, events -> false);
         SseClient sinceNow = new SseClient(api, "?since=now", viewer, null, events -> false)) {
      // the journal already holds the running execution's events: the default replays them
      Eventually.await("the default stream replays " + running, WAIT,
          () -> fromStart.events.stream().anyMatch(e -> e.data().contains(running)));
      Eventually.await("a heartbeat on the stream since now", WAIT,
          () -> sinceNow.heartbeats.get() > 0);
      assertThat(sinceNow.events).as("events before the stream began").isEmpty();

      String fresh = api.post("/api/jobs/quick/executions", api.operator(), null).json()
          .get("id").asText();
      Eventually.await("the stream since now sees " + fresh + " end", WAIT,
          () -> sinceNow.events.stream().anyMatch(e -> "ExecutionSucceeded".equals(e.type())));
      assertThat(sinceNow.events).allSatisfy(e -> assertThat(e.data()).contains(fresh));
      String first = fromStart.events.get(0).id();

      // Last-Event-ID wins over since=now: a reconnecting client misses nothing
      try (SseClient resumed = new SseClient(api, "?since=now", viewer, first,
          events -> false)) {
        Eventually.await("the resumed stream replays what followed event " + first, WAIT,
            () -> resumed.events.size() >= 2);
        assertThat(Long.parseLong(resumed.events.get(0).id())).isGreaterThan(
            Long.parseLong(first));
        assertThat(resumed.events.get(0).id()).isEqualTo(fromStart.events.get(1).id());
      }
    }
  }

  static int problemOf(Outcome outcome) {
    try {
      JsonNode problem = Json.MAPPER.readTree(outcome.body());
      return problem.path("type").asText().startsWith("https://stepwise.dev/problems/")
          && !problem.path("title").asText().isBlank()
          && !problem.path("detail").asText().isBlank() ? problem.path("status").asInt() : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  static String clip(String text) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ");
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }

  static void printFigures(Map<String, int[]> byGroup) {
    StringBuilder table = new StringBuilder("\nHostile input against a running node\n")
        .append(String.format("%-14s %8s %8s%n", "group", "inputs", "4xx"));
    int tried = 0;
    int refused = 0;
    for (var group : byGroup.entrySet()) {
      table.append(String.format("%-14s %8d %8d%n", group.getKey(), group.getValue()[0],
          group.getValue()[1]));
      tried += group.getValue()[0];
      refused += group.getValue()[1];
    }
    table.append(String.format("%-14s %8d %8d%n", "all", tried, refused));
    System.out.println(table);
  }
}
