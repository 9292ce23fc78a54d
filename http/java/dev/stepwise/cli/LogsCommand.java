package dev.stepwise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code stepwise logs <id>}: what a shell step printed, whole, or with {@code --follow} as it
 * prints it until the attempt ends. The step is the running one unless {@code --step} names
 * another (by name or index); the attempt is its latest unless {@code --attempt} says.
 */
final class LogsCommand implements ClientCommand {

  @Override
  public Set<String> options() {
    return Set.of("step", "attempt", "follow");
  }

  @Override
  public ExitCode run(Arguments arguments, Session session) {
    String id = arguments.single("execution id");
    JsonNode view = session.node().get("/api/executions/" + Session.segment(id));
    int index = stepIndex(view, arguments.option("step").orElse(null));
    JsonNode step = view.path("steps").get(index);
    int attempt = arguments.positive("attempt").map(Long::intValue)
        .orElse(step.path("attempt").asInt());
    if (attempt < 1) {
      throw new CommandFailure(ExitCode.NOT_FOUND, "step '" + Session.text(step, "name")
          + "' of " + id + " has not run yet");
    }
    String path = "/api/executions/" + Session.segment(id) + "/steps/" + index + "/attempts/"
        + attempt + "/output";
    if (!arguments.flag("follow")) {
      session.out().print(session.node().text(path));
      session.out().flush();
      return ExitCode.OK;
    }
    try (Stream<String> lines = session.node().stream(path + "?follow=true")) {
      // an event's fields come in any order (this server sends data first); a blank line ends it
      Iterator<String> it = lines.iterator();
      String event = "";
      String data = null;
      while (it.hasNext()) {
        String line = it.next();
        if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data = line.substring(5).strip();
        } else if (line.isEmpty() && data != null) {
          if (event.equals("end")) {
            return ExitCode.OK;
          }
          session.out().print(text(data));
          session.out().flush();
          event = "";
          data = null;
        }
      }
    }
    session.err().println("the output stream ended before the attempt did");
    return ExitCode.UNAVAILABLE;
  }

  /** The running step, else the last one that ran; or the one {@code --step} names. */
  private static int stepIndex(JsonNode view, String wanted) {
    JsonNode steps = view.path("steps");
    if (wanted != null) {
      for (int i = 0; i < steps.size(); i++) {
        if (wanted.equals(steps.get(i).path("name").asText()) || wanted.equals(
            Integer.toString(i))) {
          return i;
        }
      }
      throw new CommandFailure(ExitCode.NOT_FOUND, "no step '" + wanted + "' in execution "
          + Session.text(view, "id"));
    }
    int last = 0;
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).path("name").asText().equals(view.path("currentStep").asText())) {
        return i;
      }
      if (steps.get(i).path("attempt").asInt() > 0) {
        last = i;
      }
    }
    return last;
  }

  private static String text(String data) {
    try {
      return NodeClient.JSON.readTree(data).path("text").asText();
    } catch (IOException e) {
      return data;
    }
  }
}
