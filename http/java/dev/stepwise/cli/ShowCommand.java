package dev.stepwise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** {@code stepwise show <id>}: one execution as it is now, asked of the execution itself. */
final class ShowCommand implements ClientCommand {

  @Override
  public Set<String> options() {
    return Set.of();
  }

  @Override
  public ExitCode run(Arguments arguments, Session session) {
    String id = arguments.single("execution id");
    JsonNode view = session.node().get("/api/executions/" + Session.segment(id));
    if (session.json()) {
      session.printJson(view);
      return ExitCode.OK;
    }
    var out = session.out();
    for (String field : new String[] {"id", "job", "status", "currentStep", "createdBy",
        "createdAt", "startedAt", "completedAt", "error", "retryOf"}) {
      if (view.hasNonNull(field)) {
        out.printf("%-12s %s%n", field + ":", view.get(field).asText());
      }
    }
    JsonNode stop = view.path("cancellation");
    if (stop.isObject()) {
      out.printf("%-12s %s by %s: %s%s%n", "stop:", Session.text(stop, "mode"),
          Session.text(stop, "requestedBy"), Session.text(stop, "reason"),
          stop.hasNonNull("escalatedAt") ? " (escalated: "
              + Session.text(stop, "escalationReason") + ")" : "");
    }
    out.println();
    Table steps = new Table("step", "type", "status", "attempt", "exit", "started", "completed");
    for (JsonNode step : view.path("steps")) {
      steps.row(Session.text(step, "name") + (step.path("cleanup").asBoolean() ? " (cleanup)" : ""),
          Session.text(step, "type"), Session.text(step, "status"), Session.text(step, "attempt"),
          Session.text(step, "exitCode"), Session.text(step, "startedAt"),
          Session.text(step, "completedAt"));
    }
    steps.print(out);
    return ExitCode.OK;
  }
}
