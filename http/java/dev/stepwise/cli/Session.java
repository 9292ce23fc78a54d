package dev.stepwise.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * What every client command works with: the node, whether to print JSON (for scripts) or tables
 * (for people), and where output goes.
 */
record Session(NodeClient node, boolean json, PrintStream out, PrintStream err) {

  /** Prints the node's answer as compact JSON, one document per line. */
  void printJson(JsonNode answer) {
    try {
      out.println(NodeClient.JSON.writeValueAsString(answer));
    } catch (JsonProcessingException e) {
      throw new CommandFailure(ExitCode.FAILED, "cannot print the answer: " + e.getMessage());
    }
  }

  /** A path segment (an id, a job name) made safe to put in a URL. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? "-" : value.asText();
  }
}
